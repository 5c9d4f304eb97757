/**
 * The remediation program's decisions, free of I/O: parse and check the config and Prometheus answers, pick the
 * workloads above the threshold, apply the cooldown and the per-run budget, and build the patches and the incident
 * report. `program.ts` does the I/O around these functions.
 *
 * This file is bundled into the ConfigMap together with `program.ts` (see scripts/bundle-remediation.ts): it must import
 * nothing at run time (type-only imports are fine).
 */

/** The actions the program knows, in the order a user usually wants them. */
export const REMEDIATION_ACTIONS = ['restart', 'flush-redis', 'raise-limit'] as const;
/** One remediation action. */
export type RemediationActionName = typeof REMEDIATION_ACTIONS[number];

/** The workload annotation that records the last remediation (the cooldown state: a CronJob has no disk). */
export const LAST_REMEDIATION_ANNOTATION = 'memguard.io/last-remediation';
/** The workload annotation that records which actions the last remediation ran. */
export const LAST_ACTIONS_ANNOTATION = 'memguard.io/last-remediation-actions';
/** The workload annotation that records the last webhook escalation (webhooks have no "open issue" to search). */
export const LAST_ESCALATION_ANNOTATION = 'memguard.io/last-escalation';
/** The pod template annotation `kubectl rollout restart` sets. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** A Secret-backed value the program reads from its environment (never from the config file). */
export const ENV_GITHUB_TOKEN = 'MEMGUARD_GITHUB_TOKEN';
/** The webhook URL, which often embeds a credential, so it comes from a Secret too. */
export const ENV_WEBHOOK_URL = 'MEMGUARD_WEBHOOK_URL';
/** The Redis password. */
export const ENV_REDIS_PASSWORD = 'MEMGUARD_REDIS_PASSWORD';

/** The program's configuration, as the ConfigMap's `config.json` holds it. */
export interface RemediationConfig {
  /** Prometheus base URL, e.g. `http://prometheus-operated.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** The ContainerMemoryNearLimit expression (working set / limit, per container), built at synth time. */
  readonly ratioQuery: string;
  /** Remediate above this fraction of the limit (0.85 = 85%). */
  readonly thresholdRatio: number;
  /** The namespaces the program may act in (a sample from elsewhere is ignored). */
  readonly namespaces: readonly string[];
  /** Actions, in order. */
  readonly actions: readonly RemediationActionName[];
  /** No new action on a workload within this many seconds of the last one. */
  readonly cooldownSeconds: number;
  /** At most this many actions per run, over all workloads. */
  readonly maxActionsPerRun: number;
  /** Seconds between the actions and the re-check. */
  readonly waitSeconds: number;
  /** Only report what would be done. */
  readonly dryRun: boolean;
  /** Timeout of each HTTP request, in seconds. */
  readonly requestTimeoutSeconds: number;
  /** The Kubernetes API. */
  readonly kubernetes: {
    readonly apiUrl: string;
    readonly tokenPath: string;
    /** CA bundle for an https API URL. */
    readonly caPath?: string;
  };
  /** Extra queries that explain the incident in the report. */
  readonly diagnostics: {
    /** Peak ratio over the last hour, per container. */
    readonly peakQuery: string;
    /** Minutes above the threshold in the last 6 hours, per container. */
    readonly minutesAboveQuery: string;
    /** Working set growth in bytes per second over the last hour, per container. */
    readonly growthQuery: string;
    /** OOM kills: containers whose last termination was OOMKilled, with restarts in the last hour. */
    readonly oomKillsQuery: string;
    /** Nodes reporting MemoryPressure. */
    readonly nodePressureQuery: string;
  };
  readonly escalation?: GithubEscalationConfig | WebhookEscalationConfig;
  readonly redis?: {
    readonly host: string;
    readonly port: number;
    /** The password comes from `MEMGUARD_REDIS_PASSWORD` when this is true. */
    readonly passwordFromEnv: boolean;
    /** The cache's own workload: `flush-redis` applies to it alone (emptying the cache frees no memory elsewhere). */
    readonly workload: WorkloadRef;
  };
  /**
   * Roll the pods (`restart`, `raise-limit`) even when that is an outage: fewer than 2 ready replicas, a Deployment
   * with the `Recreate` strategy, or a rollout allowed to take every pod down. Absent in a config: false.
   */
  readonly restartSingleReplica: boolean;
  readonly raiseLimit?: {
    /** Multiply the limit (and an equal request) by this. */
    readonly factor: number;
  };
}

/** Escalate by opening a GitHub issue. */
export interface GithubEscalationConfig {
  readonly kind: 'github';
  /** `https://api.github.com` or a GitHub Enterprise `https://host/api/v3`. */
  readonly apiUrl: string;
  /** `owner/name`. */
  readonly repository: string;
  /** Labels of the issue; the first one is how open issues are found again. */
  readonly labels: readonly string[];
}

/** Escalate by posting JSON to a webhook (URL from `MEMGUARD_WEBHOOK_URL`). */
export interface WebhookEscalationConfig {
  readonly kind: 'webhook';
}

/** One container's working set / limit, as Prometheus returned it. */
export interface ContainerSample {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Working set / limit (0.9 = 90%). */
  readonly ratio: number;
}

/** A workload the program can restart. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
}

/** A workload with its containers above the threshold and its cooldown state. */
export interface WorkloadMeasurement {
  readonly workload: WorkloadRef;
  readonly samples: readonly ContainerSample[];
  /** The raw `memguard.io/last-remediation` annotation, if any. */
  readonly lastRemediation?: string;
  /**
   * Why rolling this workload's pods would be an outage (`rolloutOutageReason` of the object the program read);
   * absent when the workload keeps serving during a rollout.
   */
  readonly rolloutOutage?: string;
}

/** A configured action that does not apply to a workload, and why. */
export interface NotApplicableAction {
  readonly action: RemediationActionName;
  readonly reason: string;
}

/** What happens to one workload this run. */
export interface WorkloadDecision {
  readonly workload: WorkloadRef;
  /** The highest ratio among its containers. */
  readonly peakRatio: number;
  /**
   * - `remediate`: `actions` run now;
   * - `cooldown`: it was remediated less than `cooldownSeconds` ago (escalated if still high at the re-check);
   * - `deferred`: the run's action budget is spent (handled by a later run, not escalated now);
   * - `skipped`: no configured action applies (`notApplicable` says why; escalated if still high at the re-check).
   */
  readonly disposition: 'remediate' | 'cooldown' | 'deferred' | 'skipped';
  /** The actions to run, in order (empty unless `remediate`). */
  readonly actions: readonly RemediationActionName[];
  /** Configured actions not run because the budget ran out. */
  readonly skippedActions: readonly RemediationActionName[];
  /** Configured actions that do not apply to this workload, with the reason (they spend no budget). */
  readonly notApplicable: readonly NotApplicableAction[];
  /** When the cooldown ends (ISO 8601), for `cooldown`. */
  readonly cooldownUntil?: string;
}

/** Configuration errors, each naming the field, the value and what is accepted. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `namespace/Kind/name`: the workload's stable key (logs, issue marker). */
export function workloadKey(workload: WorkloadRef): string {
  return `${workload.namespace}/${workload.kind}/${workload.name}`;
}

/** The containers above `thresholdRatio` (strictly, like the alert's `>`), in the allowed namespaces. */
export function aboveThreshold(samples: readonly ContainerSample[], thresholdRatio: number, namespaces: readonly string[]): ContainerSample[] {
  return samples.filter((s) => s.ratio > thresholdRatio && namespaces.includes(s.namespace));
}

/** Seconds of cooldown left, 0 when none (no annotation, an unreadable one, or one in the past). */
export function cooldownRemainingSeconds(lastRemediation: string | undefined, now: Date, cooldownSeconds: number): number {
  if (lastRemediation === undefined) return 0;
  const at = Date.parse(lastRemediation);
  if (Number.isNaN(at)) return 0;
  const remaining = (at + cooldownSeconds * 1000 - now.getTime()) / 1000;
  return remaining > 0 ? Math.ceil(remaining) : 0;
}

function peakOf(samples: readonly ContainerSample[]): number {
  return samples.reduce((max, s) => Math.max(max, s.ratio), 0);
}

/** The actions that roll the workload's pods (a pod template change), which is an outage unless others keep serving. */
export const ROLLOUT_ACTIONS: readonly RemediationActionName[] = ['restart', 'raise-limit'];

/** Why `action` does not apply to the measured workload, or undefined when it does. */
export function notApplicableReason(
  action: RemediationActionName,
  m: WorkloadMeasurement,
  config: Partial<Pick<RemediationConfig, 'redis' | 'restartSingleReplica'>>,
): string | undefined {
  if (action === 'flush-redis') {
    if (!config.redis) return 'no Redis is configured';
    const cache = workloadKey(config.redis.workload);
    return workloadKey(m.workload) === cache ? undefined : `the Redis cache belongs to ${cache}; flushing it frees no memory in this workload`;
  }
  if (ROLLOUT_ACTIONS.includes(action) && m.rolloutOutage !== undefined && config.restartSingleReplica !== true) {
    return `${m.rolloutOutage} (set restartSingleReplica to accept the outage)`;
  }
  return undefined;
}

/**
 * Decides what to do for each workload: worst first (highest peak ratio; ties by key, so runs are repeatable), each
 * workload's applicable actions in the configured order, no action within the cooldown, and at most `maxActionsPerRun`
 * actions in all. `flush-redis` applies only to the cache's own workload; `restart` and `raise-limit` only to workloads
 * that keep serving during a rollout, unless `restartSingleReplica` (`notApplicableReason`). A workload none of whose
 * actions apply is `skipped`: nothing runs, and it is escalated if still high.
 */
export function decide(
  measurements: readonly WorkloadMeasurement[],
  config: Pick<RemediationConfig, 'actions' | 'cooldownSeconds' | 'maxActionsPerRun'> & Partial<Pick<RemediationConfig, 'redis' | 'restartSingleReplica'>>,
  now: Date,
): WorkloadDecision[] {
  const ordered = [...measurements]
    .filter((m) => m.samples.length > 0)
    .sort((a, b) => peakOf(b.samples) - peakOf(a.samples) || workloadKey(a.workload).localeCompare(workloadKey(b.workload)));
  let budget = config.maxActionsPerRun;
  return ordered.map((m): WorkloadDecision => {
    const peakRatio = peakOf(m.samples);
    const notApplicable: NotApplicableAction[] = [];
    const applicable: RemediationActionName[] = [];
    for (const action of config.actions) {
      const reason = notApplicableReason(action, m, config);
      if (reason === undefined) applicable.push(action);
      else notApplicable.push({ action, reason });
    }
    const remaining = cooldownRemainingSeconds(m.lastRemediation, now, config.cooldownSeconds);
    if (remaining > 0) {
      return {
        workload: m.workload,
        peakRatio,
        disposition: 'cooldown',
        actions: [],
        skippedActions: applicable,
        notApplicable,
        cooldownUntil: new Date(now.getTime() + remaining * 1000).toISOString(),
      };
    }
    const actions: RemediationActionName[] = [];
    const skippedActions: RemediationActionName[] = [];
    for (const action of applicable) {
      if (budget > 0) {
        actions.push(action);
        budget--;
      } else {
        skippedActions.push(action);
      }
    }
    let disposition: WorkloadDecision['disposition'] = 'remediate';
    if (actions.length === 0 && skippedActions.length > 0) disposition = 'deferred';
    else if (actions.length === 0 && notApplicable.length > 0) disposition = 'skipped';
    return { workload: m.workload, peakRatio, disposition, actions, skippedActions, notApplicable };
  });
}

/**
 * Reads a `maxSurge`/`maxUnavailable` value: a count, or a percentage of `replicas` (Kubernetes rounds maxSurge up and
 * maxUnavailable down); `fallback` (a percentage or a count) when absent or unreadable.
 */
function resolveCount(value: unknown, replicas: number, fallback: number | string, round: 'up' | 'down'): number {
  const v = value ?? fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const match = typeof v === 'string' ? /^([0-9]+)%$/.exec(v) : null;
  if (!match) return resolveCount(fallback, replicas, fallback, round);
  const exact = (replicas * Number(match[1])) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Why rolling the pods of this Deployment or StatefulSet (as the API returns it) would be an outage, or undefined when
 * it keeps serving: at least 2 ready replicas, a `RollingUpdate` strategy, and a `maxUnavailable` below the replica
 * count. A missing `spec.replicas` is 1 and missing `status.readyReplicas` is 0, as in the API.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies
 */
export function rolloutOutageReason(kind: WorkloadRef['kind'], object: any): string | undefined {
  const replicas = typeof object?.spec?.replicas === 'number' ? object.spec.replicas : 1;
  const ready = typeof object?.status?.readyReplicas === 'number' ? object.status.readyReplicas : 0;
  if (kind === 'Deployment') {
    const strategy = object?.spec?.strategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return `Deployment strategy ${strategy} stops every pod before starting new ones`;
  } else {
    const strategy = object?.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'RollingUpdate') return `StatefulSet updateStrategy ${strategy} restarts no pod on a template change`;
  }
  if (ready < 2) return `${ready} ready of ${replicas} replicas: a rollout leaves nothing serving`;
  const rolling = kind === 'Deployment' ? object?.spec?.strategy?.rollingUpdate : object?.spec?.updateStrategy?.rollingUpdate;
  // Defaults: 25% each for a Deployment; maxUnavailable 1 for a StatefulSet (which has no surge).
  const surge = kind === 'Deployment' ? resolveCount(rolling?.maxSurge, replicas, '25%', 'up') : 0;
  let maxUnavailable = resolveCount(rolling?.maxUnavailable, replicas, kind === 'Deployment' ? '25%' : 1, 'down');
  if (maxUnavailable === 0 && surge === 0) maxUnavailable = 1; // what the controllers do
  if (maxUnavailable >= replicas) {
    return `maxUnavailable ${JSON.stringify(rolling?.maxUnavailable)} lets the rollout stop all ${replicas} replicas at once`;
  }
  return undefined;
}

/** The workloads to escalate: still above the threshold at the re-check, and not merely deferred for budget. */
export function toEscalate(decisions: readonly WorkloadDecision[], stillHigh: ReadonlySet<string>): WorkloadDecision[] {
  return decisions.filter((d) => d.disposition !== 'deferred' && stillHigh.has(workloadKey(d.workload)));
}

/** The label the Deployment controller puts on each pod (and ReplicaSet) it creates: the pod template's hash. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The name of the Deployment behind a ReplicaSet, or why it cannot be derived. */
export type DeploymentNameResult = { readonly name: string; readonly error?: undefined } | { readonly error: string; readonly name?: undefined };

/**
 * The Deployment that owns a pod's ReplicaSet, from names alone: the Role grants nothing on ReplicaSets, and the
 * Deployment controller names each one `<deployment>-<pod-template-hash>` and puts the hash on its pods as the
 * `pod-template-hash` label. A hand-made ReplicaSet can look the same, so the caller checks the Deployment's selector
 * against the pod (`selectorMatchesLabels`) before acting.
 */
export function deploymentNameFromReplicaSet(replicaSetName: string, podLabels: Readonly<Record<string, unknown>> | undefined): DeploymentNameResult {
  const hash = podLabels?.[POD_TEMPLATE_HASH_LABEL];
  if (typeof hash !== 'string' || hash === '') {
    return { error: `the pod has no "${POD_TEMPLATE_HASH_LABEL}" label, so ReplicaSet "${replicaSetName}" cannot be traced to a Deployment` };
  }
  const suffix = `-${hash}`;
  if (!replicaSetName.endsWith(suffix) || replicaSetName.length === suffix.length) {
    return { error: `ReplicaSet "${replicaSetName}" is not named "<deployment>${suffix}" after the pod's ${POD_TEMPLATE_HASH_LABEL} "${hash}"` };
  }
  return { name: replicaSetName.slice(0, -suffix.length) };
}

/** A Kubernetes label selector, as the API returns it. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/**
 * Whether `selector` (matchLabels and matchExpressions, all must hold) selects an object labelled `labels`. A missing
 * or empty selector, or an unknown operator, selects nothing here: an apps/v1 Deployment always has a non-empty
 * selector, and the program must not act on a guess.
 */
export function selectorMatchesLabels(selector: LabelSelector | undefined, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  const own = labels ?? {};
  const matchLabels = Object.entries(selector?.matchLabels ?? {});
  const expressions = Array.isArray(selector?.matchExpressions) ? selector!.matchExpressions : [];
  if (matchLabels.length === 0 && expressions.length === 0) return false;
  const has = (key: string) => Object.prototype.hasOwnProperty.call(own, key) && typeof own[key] === 'string';
  if (!matchLabels.every(([key, value]) => has(key) && own[key] === value)) return false;
  return expressions.every((e) => {
    const values = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': return has(e.key) && values.includes(own[e.key] as string);
      case 'NotIn': return !has(e.key) || !values.includes(own[e.key] as string);
      case 'Exists': return has(e.key);
      case 'DoesNotExist': return !has(e.key);
      default: return false;
    }
  });
}

/**
 * The strategic merge patch of one remediation: the cooldown annotations on the workload and, for `restart`, the
 * `kubectl.kubernetes.io/restartedAt` pod template annotation (what `kubectl rollout restart` does).
 */
export function remediationPatch(actions: readonly RemediationActionName[], now: Date): Record<string, unknown> {
  const at = now.toISOString();
  const patch: Record<string, any> = {
    metadata: { annotations: { [LAST_REMEDIATION_ANNOTATION]: at, [LAST_ACTIONS_ANNOTATION]: actions.join(',') } },
  };
  if (actions.includes('restart')) {
    patch.spec = { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } };
  }
  return patch;
}

/** Binary and decimal suffixes of Kubernetes quantities, in bytes. */
const QUANTITY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** Bytes of a memory quantity such as `512Mi`, `1G` or `1e9`; undefined when it is not one. */
export function quantityBytes(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(?:e([0-9]+))?([kMGTPE]i?|Ki)?$/.exec(quantity.trim());
  if (!match) return undefined;
  const unit = QUANTITY_UNITS[match[3] ?? ''];
  if (unit === undefined) return undefined;
  return Math.ceil(Number(match[1]) * 10 ** Number(match[2] ?? 0) * unit);
}

/** A container of a pod template, as far as `raise-limit` reads it. */
export interface TemplateContainer {
  readonly name: string;
  readonly resources?: { readonly limits?: Record<string, string>; readonly requests?: Record<string, string> };
}

/**
 * The strategic merge patch (containers merge by name) that multiplies the memory limit of the named containers by
 * `factor`, rounded up to whole MiB; a request equal to the limit is raised with it, so Guaranteed QoS stays.
 * Containers without a readable limit are left alone.
 */
export function raiseLimitPatch(containers: readonly TemplateContainer[], names: readonly string[], factor: number): {
  patch: Record<string, unknown>;
  changes: { container: string; from: string; to: string }[];
} {
  const changes: { container: string; from: string; to: string }[] = [];
  const patched: Record<string, unknown>[] = [];
  for (const c of containers) {
    if (!names.includes(c.name)) continue;
    const limit = c.resources?.limits?.memory;
    const bytes = limit === undefined ? undefined : quantityBytes(limit);
    if (limit === undefined || bytes === undefined) continue;
    const to = `${Math.ceil((bytes * factor) / 2 ** 20)}Mi`;
    const resources: Record<string, Record<string, string>> = { limits: { memory: to } };
    const request = c.resources?.requests?.memory;
    if (request !== undefined && quantityBytes(request) === bytes) resources.requests = { memory: to };
    patched.push({ name: c.name, resources });
    changes.push({ container: c.name, from: limit, to });
  }
  return { patch: { spec: { template: { spec: { containers: patched } } } }, changes };
}

/** One series of an instant vector. */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Reads a Prometheus `/api/v1/query` answer. Anything but `status: success` with a vector of `[time, "number"]` pairs
 * throws, with what was wrong: the program then takes no action.
 */
export function parseVector(body: string): VectorSample[] {
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`Prometheus answer is not JSON: ${JSON.stringify(body.slice(0, 120))}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('Prometheus answer is not a JSON object');
  if (json.status !== 'success') {
    throw new Error(`Prometheus query failed: status ${JSON.stringify(json.status)}, error ${JSON.stringify(json.error ?? null)}`);
  }
  const data = json.data;
  if (!data || data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new Error(`Prometheus answer is not an instant vector: resultType ${JSON.stringify(data?.resultType ?? null)}`);
  }
  return data.result.map((r: any, i: number): VectorSample => {
    const metric = r?.metric;
    const pair = r?.value;
    if (!metric || typeof metric !== 'object' || !Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') {
      throw new Error(`Prometheus result ${i} is not {metric, value: [time, "number"]}`);
    }
    const value = Number(pair[1]);
    if (Number.isNaN(value)) throw new Error(`Prometheus result ${i} has a non-numeric value ${JSON.stringify(pair[1])}`);
    return { metric, value };
  });
}

/** The container samples of a ratio vector; series without namespace, pod and container labels are dropped. */
export function toContainerSamples(vector: readonly VectorSample[]): ContainerSample[] {
  return vector
    .filter((s) => s.metric.namespace && s.metric.pod && s.metric.container && Number.isFinite(s.value))
    .map((s) => ({ namespace: s.metric.namespace, pod: s.metric.pod, container: s.metric.container, ratio: s.value }));
}

/** What one executed action did, for the log and the report. */
export interface ActionRecord {
  readonly action: RemediationActionName;
  readonly at: string;
  readonly outcome: 'done' | 'failed' | 'dry-run';
  readonly detail?: string;
}

/** Everything the incident report says about one workload. */
export interface IncidentFacts {
  readonly workload: WorkloadRef;
  readonly now: Date;
  readonly thresholdRatio: number;
  /** Ratio per container at the first check. */
  readonly before: readonly ContainerSample[];
  /** Ratio per container at the re-check. */
  readonly after: readonly ContainerSample[];
  /** Peak ratio over the last hour (from Prometheus), if known. */
  readonly peakRatio?: number;
  /** Minutes above the threshold in the last 6 hours, if known. */
  readonly minutesAbove?: number;
  /** Working set growth, bytes per second over the last hour, if known. */
  readonly growthBytesPerSecond?: number;
  /** Containers whose last termination was an OOM kill. */
  readonly oomKilledContainers: readonly string[];
  /** The workload's nodes that report MemoryPressure. */
  readonly pressuredNodes: readonly string[];
  readonly actions: readonly ActionRecord[];
  /** Configured actions that did not apply to this workload, with the reason. */
  readonly notApplicable?: readonly NotApplicableAction[];
  /** Why no action ran, when none did (cooldown, no actions configured). */
  readonly noActionReason?: string;
}

/** The marker that finds an open issue for the same workload again: a fixed prefix and the workload key. */
export function issueTitle(workload: WorkloadRef): string {
  return `[memguard] Memory near limit: ${workloadKey(workload)}`;
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** Suspected causes, from the diagnostics: a leak trend, OOM kills, node pressure. */
export function suspectedCauses(facts: IncidentFacts): string[] {
  const causes: string[] = [];
  const growth = facts.growthBytesPerSecond;
  if (growth !== undefined && growth > 0) {
    causes.push(`Leak trend: the working set grew by ${(growth * 3600 / 2 ** 20).toFixed(1)} MiB/hour over the last hour.`);
  }
  if (facts.oomKilledContainers.length > 0) {
    causes.push(`OOM kills: last termination OOMKilled for ${facts.oomKilledContainers.join(', ')}.`);
  }
  if (facts.pressuredNodes.length > 0) {
    causes.push(`Node memory pressure on ${facts.pressuredNodes.join(', ')}.`);
  }
  if (causes.length === 0) {
    causes.push('No leak trend, OOM kill or node pressure seen: the limit may simply be too small for the load.');
  }
  return causes;
}

/** The incident report (the runbook's format), as Markdown: the GitHub issue body or the webhook's `text`. */
export function incidentReport(facts: IncidentFacts): string {
  const peak = Math.max(facts.peakRatio ?? 0, ...facts.before.map((s) => s.ratio), ...facts.after.map((s) => s.ratio));
  const row = (s: ContainerSample) => `| ${s.pod} | ${s.container} | ${percent(s.ratio)} |`;
  const notRun = (facts.notApplicable ?? []).map((n) => `- \`${n.action}\`: not run: ${n.reason}.`);
  const none = facts.actions.length === 0 && (facts.noActionReason !== undefined || notRun.length === 0)
    ? [`- None: ${facts.noActionReason ?? 'no action configured'}.`] : [];
  const actions = [...none, ...facts.actions.map((a) => `- ${a.at} \`${a.action}\`: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`), ...notRun];
  const afterPeak = facts.after.reduce((m, s) => Math.max(m, s.ratio), 0);
  const beforePeak = facts.before.reduce((m, s) => Math.max(m, s.ratio), 0);
  return [
    '## Memory incident report',
    '',
    `- **Date:** ${facts.now.toISOString()}`,
    `- **Workload:** \`${workloadKey(facts.workload)}\``,
    `- **Peak memory:** ${percent(peak)} of the limit (threshold ${percent(facts.thresholdRatio)})`,
    `- **Duration so far:** ${facts.minutesAbove === undefined ? 'unknown' : `about ${Math.round(facts.minutesAbove)} minutes above the threshold in the last 6 hours`}`,
    '',
    '### Measurements',
    '',
    '| pod | container | working set / limit |',
    '|---|---|---|',
    ...facts.before.map(row),
    '',
    'At the re-check:',
    '',
    '| pod | container | working set / limit |',
    '|---|---|---|',
    ...facts.after.map(row),
    '',
    '### Actions taken and their effect',
    '',
    ...actions,
    '',
    `Effect: the peak went from ${percent(beforePeak)} to ${percent(afterPeak)}: still above the threshold.`,
    '',
    '### Suspected cause',
    '',
    ...suspectedCauses(facts).map((c) => `- ${c}`),
    '',
    '### Follow-up',
    '',
    '- [ ] Find the cause (heap profile: turn on incident mode for this workload)',
    '- [ ] Fix the leak or size the limit to the measured need (request == limit)',
    '- [ ] Turn incident mode off again and remove any temporary limit bump',
    '- [ ] Check the alert threshold and the remediation actions still fit',
    '- [ ] Close this issue (a new one opens if it happens again)',
    '',
  ].join('\n');
}

const isRecord = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks `config.json`; every problem names the field, the value and what is accepted. */
export function parseConfig(text: string): RemediationConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Invalid config: not JSON (${(e as Error).message}).`);
  }
  if (!isRecord(raw)) throw new ConfigError('Invalid config: not a JSON object.');
  const bad = (field: string, value: unknown, accepted: string): never => {
    throw new ConfigError(`Invalid ${field} ${JSON.stringify(value)}. Accepted: ${accepted}.`);
  };
  const url = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/.test(value)) bad(field, value, 'an http:// or https:// URL');
    return (value as string).replace(/\/+$/, '');
  };
  const str = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0) bad(field, value, 'a non-empty string');
    return value as string;
  };
  const num = (field: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) bad(field, value, `a number from ${min} to ${max}`);
    return value as number;
  };
  const actions = raw.actions;
  if (!Array.isArray(actions) || actions.some((a) => !(REMEDIATION_ACTIONS as readonly unknown[]).includes(a))
    || new Set(actions).size !== actions.length) {
    bad('actions', actions, `a list of distinct actions among ${REMEDIATION_ACTIONS.join(', ')}`);
  }
  const namespaces = raw.namespaces;
  if (!Array.isArray(namespaces) || namespaces.length === 0 || namespaces.some((n) => typeof n !== 'string' || n === '')) {
    bad('namespaces', namespaces, 'a non-empty list of namespace names');
  }
  const k8s = isRecord(raw.kubernetes) ? raw.kubernetes : bad('kubernetes', raw.kubernetes, 'an object with apiUrl and tokenPath');
  const diag = isRecord(raw.diagnostics) ? raw.diagnostics : bad('diagnostics', raw.diagnostics, 'an object with the diagnostic queries');
  let escalation: RemediationConfig['escalation'];
  if (raw.escalation !== undefined) {
    const e = isRecord(raw.escalation) ? raw.escalation : bad('escalation', raw.escalation, 'an object');
    if (e.kind === 'github') {
      if (typeof e.repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(e.repository)) bad('escalation.repository', e.repository, '"owner/name"');
      const labels = e.labels;
      if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string' || l === '')) {
        bad('escalation.labels', labels, 'a non-empty list of label names');
      }
      escalation = { kind: 'github', apiUrl: url('escalation.apiUrl', e.apiUrl), repository: e.repository, labels };
    } else if (e.kind === 'webhook') {
      escalation = { kind: 'webhook' };
    } else {
      bad('escalation.kind', e.kind, '"github" or "webhook"');
    }
  }
  let redis: RemediationConfig['redis'];
  if (raw.redis !== undefined) {
    const r = isRecord(raw.redis) ? raw.redis : bad('redis', raw.redis, 'an object with host, port and workload');
    const w = isRecord(r.workload) ? r.workload : bad('redis.workload', r.workload, 'the cache\'s workload { namespace, kind, name }');
    if (w.kind !== 'Deployment' && w.kind !== 'StatefulSet') bad('redis.workload.kind', w.kind, '"Deployment" or "StatefulSet"');
    redis = {
      host: str('redis.host', r.host),
      port: num('redis.port', r.port, 1, 65535),
      passwordFromEnv: r.passwordFromEnv === true,
      workload: { namespace: str('redis.workload.namespace', w.namespace), kind: w.kind, name: str('redis.workload.name', w.name) },
    };
  }
  if ((actions as string[]).includes('flush-redis') && !redis) bad('redis', raw.redis, 'a Redis target when actions include "flush-redis"');
  let raiseLimit: RemediationConfig['raiseLimit'];
  if (raw.raiseLimit !== undefined) {
    const r = isRecord(raw.raiseLimit) ? raw.raiseLimit : bad('raiseLimit', raw.raiseLimit, 'an object with factor');
    raiseLimit = { factor: num('raiseLimit.factor', r.factor, 1.01, 3) };
  }
  if ((actions as string[]).includes('raise-limit') && !raiseLimit) bad('raiseLimit', raw.raiseLimit, 'a factor when actions include "raise-limit"');
  if (typeof raw.dryRun !== 'boolean') bad('dryRun', raw.dryRun, 'true or false');
  const restartSingleReplica = raw.restartSingleReplica ?? false;
  if (typeof restartSingleReplica !== 'boolean') bad('restartSingleReplica', restartSingleReplica, 'true or false');
  const maxActions = num('maxActionsPerRun', raw.maxActionsPerRun, 0, 1000);
  if (!Number.isInteger(maxActions)) bad('maxActionsPerRun', maxActions, 'a whole number from 0 to 1000');
  return {
    prometheusUrl: url('prometheusUrl', raw.prometheusUrl),
    ratioQuery: str('ratioQuery', raw.ratioQuery),
    thresholdRatio: num('thresholdRatio', raw.thresholdRatio, 0.01, 1),
    namespaces: namespaces as string[],
    actions: actions as RemediationActionName[],
    cooldownSeconds: num('cooldownSeconds', raw.cooldownSeconds, 0, 7 * 24 * 3600),
    maxActionsPerRun: maxActions,
    waitSeconds: num('waitSeconds', raw.waitSeconds, 0, 3600),
    dryRun: raw.dryRun as boolean,
    restartSingleReplica,
    requestTimeoutSeconds: num('requestTimeoutSeconds', raw.requestTimeoutSeconds ?? 10, 0.1, 300),
    kubernetes: {
      apiUrl: url('kubernetes.apiUrl', k8s.apiUrl),
      tokenPath: str('kubernetes.tokenPath', k8s.tokenPath),
      ...(k8s.caPath !== undefined ? { caPath: str('kubernetes.caPath', k8s.caPath) } : {}),
    },
    diagnostics: {
      peakQuery: str('diagnostics.peakQuery', diag.peakQuery),
      minutesAboveQuery: str('diagnostics.minutesAboveQuery', diag.minutesAboveQuery),
      growthQuery: str('diagnostics.growthQuery', diag.growthQuery),
      oomKillsQuery: str('diagnostics.oomKillsQuery', diag.oomKillsQuery),
      nodePressureQuery: str('diagnostics.nodePressureQuery', diag.nodePressureQuery),
    },
    ...(escalation ? { escalation } : {}),
    ...(redis ? { redis } : {}),
    ...(raiseLimit ? { raiseLimit } : {}),
  };
}
