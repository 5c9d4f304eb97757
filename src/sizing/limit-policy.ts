import { checkOneOf, InputError } from './errors';
import { bumpLimit, INCIDENT_LIMIT_FACTOR_ANNOTATION, INCIDENT_MODE_ANNOTATION, incidentSettings } from './incident-mode';
import { Memory } from './quantity';

/**
 * What the policy does with a container that breaks it:
 * - `fill`: fills in a missing memory request or limit (and raises requests when asked); what cannot be fixed is
 *   reported as a violation;
 * - `enforce`: changes nothing and reports every container that breaks the policy.
 */
export type LimitPolicyMode = 'fill' | 'enforce';

/** The memory limits policy: the code form of the runbook's "patch every deployment with limits". */
export interface MemoryLimitPolicyOptions {
  /**
   * The limit given to a container that has none (and no request to take it from).
   * @default 512Mi
   */
  readonly defaultLimit?: Memory;
  /**
   * The request given to a container that has none.
   * @default - the container's limit (Guaranteed memory QoS)
   */
  readonly defaultRequest?: Memory;
  /**
   * Raise every memory request to its limit, for Guaranteed memory QoS. In `enforce` mode a request below its limit is a
   * violation.
   * @default false
   */
  readonly raiseRequestsToLimits?: boolean;
  /** @default 'fill' */
  readonly mode?: LimitPolicyMode;
  /**
   * Workloads the policy leaves alone, as `Kind/name` (name as in `metadata.name`) or `Kind/*`.
   * @default - none
   */
  readonly exclude?: readonly string[];
  /**
   * Incident mode for some workloads of the chart or stack: their memory limits (and requests equal to them) are
   * multiplied by `limitFactor`, and they are marked with the `memguard.io/incident-mode` annotation so the bump is not
   * forgotten. Profiling variables need the runtime, which only `MemoryTunedDeployment.incidentMode` knows.
   * @default - off
   */
  readonly incidentMode?: LimitPolicyIncidentMode;
}

/** Incident mode as the limits policy applies it. */
export interface LimitPolicyIncidentMode {
  /** The workloads, as `Kind/name` (name as in `metadata.name`). */
  readonly workloads: readonly string[];
  /** When it was switched on (`YYYY-MM-DD` or an ISO 8601 time). */
  readonly since: string;
  /** @default - none */
  readonly reason?: string;
  /**
   * The limit multiplier, from 1 to 3.
   * @default 1.5
   */
  readonly limitFactor?: number;
}

/** One container that breaks the policy. */
export interface LimitPolicyViolation {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly container: string;
  readonly initContainer: boolean;
  readonly problem: string;
}

/** The result of applying the policy to one object. */
export interface LimitPolicyResult<T> {
  /** The object with the policy applied (a copy; the input is not changed). */
  readonly object: T;
  readonly violations: readonly LimitPolicyViolation[];
}

/** The workload kinds the policy covers. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;

const DEFAULT_LIMIT = Memory.mebibytes(512);

/** Validates the options once, with defaults applied. */
export function resolveLimitPolicy(options: MemoryLimitPolicyOptions = {}): Required<Omit<MemoryLimitPolicyOptions, 'defaultRequest' | 'incidentMode'>> & Pick<MemoryLimitPolicyOptions, 'defaultRequest' | 'incidentMode'> {
  const mode = checkOneOf('mode', options.mode ?? 'fill', ['fill', 'enforce'] as const);
  const defaultLimit = options.defaultLimit ?? DEFAULT_LIMIT;
  if (options.defaultRequest !== undefined && options.defaultRequest.isGreaterThan(defaultLimit)) {
    throw new InputError({
      field: 'defaultRequest',
      value: options.defaultRequest.toString(),
      reason: `it is above defaultLimit ${defaultLimit}`,
      accepted: `at most defaultLimit (${defaultLimit})`,
    });
  }
  if (options.incidentMode) {
    // Validates `since`, `reason` and `limitFactor` with the same rules and messages as the workload option.
    incidentSettings('generic', Memory.mebibytes(64), { ...options.incidentMode, limitFactor: options.incidentMode.limitFactor ?? 1.5 });
    for (const pattern of options.incidentMode.workloads) {
      if (!/^[A-Za-z]+\/[^/*]+$/.test(pattern)) {
        throw new InputError({ field: 'incidentMode.workloads', value: pattern, accepted: 'entries of the form Kind/name' });
      }
    }
  }
  for (const pattern of options.exclude ?? []) {
    if (!/^[A-Za-z]+\/[^/]+$/.test(pattern)) {
      throw new InputError({ field: 'exclude', value: pattern, accepted: 'entries of the form Kind/name or Kind/*' });
    }
  }
  return {
    mode,
    defaultLimit,
    defaultRequest: options.defaultRequest,
    raiseRequestsToLimits: options.raiseRequestsToLimits ?? false,
    exclude: options.exclude ?? [],
    incidentMode: options.incidentMode,
  };
}

/** The pod spec inside a workload object, or undefined for kinds that have none. */
export function podSpecOf(object: any): any | undefined {
  switch (object?.kind) {
    case 'Pod': return object.spec;
    case 'CronJob': return object.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
      return object.spec?.template?.spec;
    default: return undefined;
  }
}

/** Returns `object` with its pod spec replaced, copying only the objects on the path to it. */
function withPodSpec(object: any, podSpec: any): any {
  switch (object.kind) {
    case 'Pod': return { ...object, spec: podSpec };
    case 'CronJob': {
      const jobTemplate = object.spec.jobTemplate;
      const template = { ...jobTemplate.spec.template, spec: podSpec };
      return { ...object, spec: { ...object.spec, jobTemplate: { ...jobTemplate, spec: { ...jobTemplate.spec, template } } } };
    }
    default: return { ...object, spec: { ...object.spec, template: { ...object.spec.template, spec: podSpec } } };
  }
}

/**
 * Applies the policy to one Kubernetes object (any kind; non-workloads pass through unchanged). Pure: the input is not
 * changed, and only the objects on the path to the containers are copied (the rest, which may hold values such as
 * Pulumi outputs, is shared).
 */
export function applyMemoryLimitPolicy<T>(object: T, options: MemoryLimitPolicyOptions = {}): LimitPolicyResult<T> {
  const policy = resolveLimitPolicy(options);
  const original = podSpecOf(object);
  if (!original || isExcluded(object, policy.exclude)) return { object, violations: [] };
  const spec = {
    ...original,
    ...(original.initContainers ? { initContainers: original.initContainers.map(copyContainer) } : {}),
    containers: (original.containers ?? []).map(copyContainer),
  };
  const incident = policy.mode === 'fill' && policy.incidentMode?.workloads.includes(`${(object as any).kind}/${(object as any).metadata?.name}`)
    ? policy.incidentMode : undefined;
  const copy = incident ? markIncident(withPodSpec(object, spec), incident) : withPodSpec(object, spec);
  const violations: LimitPolicyViolation[] = [];
  const visit = (container: any, initContainer: boolean): void => {
    const report = (problem: string): void => {
      violations.push({
        kind: copy.kind,
        name: copy.metadata?.name ?? '<unnamed>',
        namespace: copy.metadata?.namespace,
        container: container.name ?? '<unnamed>',
        initContainer,
        problem,
      });
    };
    const limitText = container.resources?.limits?.memory;
    const requestText = container.resources?.requests?.memory;
    const limit = limitText === undefined ? undefined : parseOrReport(limitText, 'limit', report);
    const request = requestText === undefined ? undefined : parseOrReport(requestText, 'request', report);
    if ((limitText !== undefined && !limit) || (requestText !== undefined && !request)) return;
    if (policy.mode === 'enforce') {
      if (!limit) report('has no memory limit');
      if (!request) report('has no memory request');
      if (limit && request && request.isGreaterThan(limit)) {report(`memory request ${request} is above its limit ${limit}`);} else if (policy.raiseRequestsToLimits && limit && request && request.isLessThan(limit)) {
        report(`memory request ${request} is below its limit ${limit} (the policy requires request == limit)`);
      }
      return;
    }
    const filledLimit = limit ?? (request ? Memory.max(request, policy.defaultLimit) : policy.defaultLimit);
    let filledRequest = request ?? (policy.defaultRequest ? Memory.min(policy.defaultRequest, filledLimit) : filledLimit);
    if (policy.raiseRequestsToLimits && filledRequest.isLessThan(filledLimit)) filledRequest = filledLimit;
    if (filledRequest.isGreaterThan(filledLimit)) {
      report(`memory request ${filledRequest} is above its limit ${filledLimit}`);
      return;
    }
    // Values the container already had keep their spelling; only what the policy adds or raises is rewritten.
    const finalLimit = incident ? bumpLimit(filledLimit, incident.limitFactor ?? 1.5, 'incidentMode.limitFactor') : filledLimit;
    const finalRequest = incident && filledRequest.equals(filledLimit) ? finalLimit : filledRequest;
    // Values the container already had keep their spelling; only what the policy adds or changes is rewritten.
    const resources = (container.resources ??= {});
    if (!limit || !finalLimit.equals(limit)) resources.limits = { ...resources.limits, memory: finalLimit.toString() };
    if (!request || !finalRequest.equals(request)) resources.requests = { ...resources.requests, memory: finalRequest.toString() };
  };
  for (const container of spec.initContainers ?? []) visit(container, true);
  for (const container of spec.containers ?? []) visit(container, false);
  // enforce changes nothing: hand back the very object it was given.
  return { object: policy.mode === 'enforce' ? object : copy, violations };
}

/** Adds the incident-mode annotations to the object and its pod template. */
function markIncident(object: any, incident: LimitPolicyIncidentMode): any {
  const annotations = {
    [INCIDENT_MODE_ANNOTATION]: `since ${incident.since}${incident.reason ? `: ${incident.reason.trim()}` : ''}`,
    [INCIDENT_LIMIT_FACTOR_ANNOTATION]: String(incident.limitFactor ?? 1.5),
  };
  const marked = { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, ...annotations } } };
  const template = object.kind === 'Pod' || object.kind === 'CronJob' ? undefined : marked.spec?.template;
  if (template) {
    const metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, ...annotations } };
    marked.spec = { ...marked.spec, template: { ...template, metadata } };
  }
  return marked;
}

/** A one-line description of a violation, for error lists. */
export function describeViolation(v: LimitPolicyViolation): string {
  const where = `${v.kind} ${v.namespace ? `${v.namespace}/` : ''}${v.name}`;
  return `${where}, ${v.initContainer ? 'init container' : 'container'} "${v.container}": ${v.problem}`;
}

/** A copy of the container and its `resources` (whose `limits`/`requests` are replaced, never mutated). */
function copyContainer(container: any): any {
  return container.resources ? { ...container, resources: { ...container.resources } } : { ...container };
}

function isExcluded(object: any, exclude: readonly string[]): boolean {
  return exclude.some((pattern) => {
    const [kind, name] = pattern.split('/');
    return kind === object.kind && (name === '*' || name === object.metadata?.name);
  });
}

function parseOrReport(text: unknown, which: string, report: (problem: string) => void): Memory | undefined {
  try {
    return Memory.parse(String(text), which);
  } catch {
    report(`memory ${which} ${JSON.stringify(text)} is not a valid quantity`);
    return undefined;
  }
}
