import type { RemediationActionName, RemediationConfig, WorkloadRef } from './decide';
import { resolveMemoryAlertsConfig } from '../observability/config';
import * as q from '../observability/queries';
import { checkInteger, checkOneOf, checkRange, InputError } from '../sizing/errors';

/** The actions, re-exported for validation without loading the program. */
const ACTIONS: readonly RemediationActionName[] = ['restart', 'flush-redis', 'raise-limit'];

/**
 * The default threshold: the ContainerMemoryNearLimit alert's warning tier (85%), so the program acts on exactly what
 * the alert reports.
 */
export const DEFAULT_REMEDIATION_THRESHOLD_PERCENT = Math.round(
  resolveMemoryAlertsConfig().thresholds.containerMemoryNearLimit.warning!.threshold * 1000) / 10;

/** kube-prometheus-stack's Prometheus Service (created by the operator) in a `monitoring` namespace. */
export const DEFAULT_PROMETHEUS_URL = 'http://prometheus-operated.monitoring.svc:9090';
/** The in-cluster API server. */
export const IN_CLUSTER_API_URL = 'https://kubernetes.default.svc';
/** Where Kubernetes mounts the service account token and CA. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A key of an existing Secret in the remediation job's namespace. The value never appears in a manifest or a log. */
export interface SecretKeyReference {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key. */
  readonly key: string;
}

/** Escalate by opening a GitHub issue. */
export interface GithubEscalation {
  /** `owner/name`. */
  readonly repository: string;
  /** A token that may create issues (fine-grained: Issues read/write on that repository). */
  readonly tokenSecret: SecretKeyReference;
  /**
   * The API base URL (GitHub Enterprise: `https://<host>/api/v3`).
   * @default 'https://api.github.com'
   */
  readonly apiUrl?: string;
  /**
   * The labels; the first one is how open issues are found again (no duplicates while one is open).
   * @default ['memguard', 'memory-incident']
   */
  readonly labels?: readonly string[];
}

/** Escalate by posting JSON (`title`, `text` in Markdown, `workload`, `measurements`, `actions`) to a webhook. */
export interface WebhookEscalation {
  /** The webhook URL, from a Secret (such URLs usually embed a credential). */
  readonly urlSecret: SecretKeyReference;
}

/** Where to escalate: exactly one of `github` or `webhook`. */
export type RemediationEscalation =
  | { readonly github: GithubEscalation; readonly webhook?: undefined }
  | { readonly webhook: WebhookEscalation; readonly github?: undefined };

/** A Deployment or StatefulSet in one of the target namespaces. */
export interface RemediationWorkload {
  /** The controller's kind. */
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Its `metadata.name`, e.g. a RedisCache's `deployment.name`. */
  readonly name: string;
  /**
   * Its namespace.
   * @default - the target namespace (required when there are several)
   */
  readonly namespace?: string;
}

/** The Redis cache `flush-redis` empties, and the workload it belongs to. */
export interface RemediationRedisTarget {
  /** Host name, e.g. a RedisCache's `<serviceName>.<namespace>.svc`. */
  readonly host: string;
  /**
   * The cache's own workload (the Redis Deployment or StatefulSet): `flush-redis` acts only when that workload is above
   * the threshold. Emptying a cache frees no memory in PostgreSQL, Odoo or any other workload, so there is no default.
   */
  readonly workload: RemediationWorkload;
  /**
   * Port.
   * @default 6379
   */
  readonly port?: number;
  /**
   * The password (`requirepass`), from a Secret in the remediation job's namespace.
   * @default - no AUTH
   */
  readonly passwordSecret?: SecretKeyReference;
}

/** What the remediation program does; the cdk8s construct adds the schedule, image and Kubernetes objects. */
export interface RemediationOptions {
  /** The namespaces whose Deployments and StatefulSets may be remediated. */
  readonly targetNamespaces: readonly string[];
  /**
   * Prometheus base URL.
   * @default 'http://prometheus-operated.monitoring.svc:9090'
   */
  readonly prometheusUrl?: string;
  /**
   * Act above this share of the memory limit (working set / limit), in percent.
   * @default 85 - the ContainerMemoryNearLimit warning threshold
   */
  readonly thresholdPercent?: number;
  /**
   * Exporter selectors, as for the alert rules.
   * @default - the kube-prometheus-stack defaults
   */
  readonly selectors?: q.SignalSelectors;
  /**
   * The actions, in order. `flush-redis` needs `redis`; `raise-limit` needs `raiseLimitFactor` and fights GitOps (the
   * next sync reverts it, and a bigger limit hides a leak), so it is never a default.
   * @default ['restart']
   */
  readonly actions?: readonly RemediationActionName[];
  /**
   * No new action on a workload within this many minutes of the last one.
   * @default 30
   */
  readonly cooldownMinutes?: number;
  /**
   * At most this many actions per run, over all workloads (worst first).
   * @default 3
   */
  readonly maxActionsPerRun?: number;
  /**
   * Seconds between the actions and the re-check.
   * @default 30
   */
  readonly waitSeconds?: number;
  /**
   * Where to escalate what is still high after the re-check.
   * @default - no escalation (logged)
   */
  readonly escalation?: RemediationEscalation;
  /**
   * Only report (log) what would be done.
   * @default false
   */
  readonly dryRun?: boolean;
  /** The Redis `flush-redis` empties, with its workload. @default - none (required by `flush-redis`) */
  readonly redis?: RemediationRedisTarget;
  /**
   * Let `restart` and `raise-limit` roll workloads that stop serving meanwhile: fewer than 2 ready replicas, a
   * Deployment with the `Recreate` strategy, or a `maxUnavailable` that covers every replica. Off by default: each such
   * remediation is an outage (and a database's working set counts page cache, so it often sits above the threshold).
   * Such workloads are logged (`restart-skipped`) and escalated if still high.
   * @default false
   */
  readonly restartSingleReplica?: boolean;
  /** `raise-limit` multiplies the memory limit by this (1.01 to 3). @default - none (required by `raise-limit`) */
  readonly raiseLimitFactor?: number;
  /**
   * The Kubernetes API URL.
   * @default 'https://kubernetes.default.svc'
   */
  readonly kubernetesApiUrl?: string;
  /**
   * Timeout of each HTTP request, in seconds.
   * @default 10
   */
  readonly requestTimeoutSeconds?: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Throws unless `value` is an http(s) URL. */
function checkUrl(field: string, value: string): string {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+[^\s]*$/.test(value)) {
    throw new InputError({ field, value, accepted: 'an http:// or https:// URL' });
  }
  return value.replace(/\/+$/, '');
}

function checkSecret(field: string, ref: SecretKeyReference): void {
  if (!ref || typeof ref.secretName !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(ref.secretName)) {
    throw new InputError({ field: `${field}.secretName`, value: ref?.secretName, accepted: 'a Secret name (lowercase DNS subdomain)' });
  }
  if (typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
    throw new InputError({ field: `${field}.key`, value: ref.key, accepted: 'a Secret key (letters, digits, "-", "_", ".")' });
  }
}

/** The ContainerMemoryNearLimit scope for the target namespaces. */
export function remediationScope(namespaces: readonly string[]): q.WorkloadScope {
  return namespaces.length === 1 ? { namespace: namespaces[0] } : { namespaceRegex: namespaces.join('|') };
}

/**
 * Builds the remediation program's `config.json` (validated; every problem throws an `InputError`). The ratio query is
 * the ContainerMemoryNearLimit expression (`workingSetToLimitRatio`) over the target namespaces; the threshold is
 * compared in the program, strictly, like the alert's `>`.
 */
export function remediationConfig(options: RemediationOptions): RemediationConfig {
  const namespaces = [...options.targetNamespaces];
  if (namespaces.length === 0) {
    throw new InputError({ field: 'targetNamespaces', value: namespaces, accepted: 'at least one namespace' });
  }
  namespaces.forEach((n, i) => {
    if (!DNS_LABEL.test(n)) throw new InputError({ field: `targetNamespaces[${i}]`, value: n, accepted: 'a namespace name (lowercase DNS label)' });
  });
  if (new Set(namespaces).size !== namespaces.length) {
    throw new InputError({ field: 'targetNamespaces', value: namespaces, accepted: 'distinct namespaces' });
  }
  const thresholdPercent = checkRange('thresholdPercent', options.thresholdPercent ?? DEFAULT_REMEDIATION_THRESHOLD_PERCENT, 1, 100, '%');
  const actions = [...(options.actions ?? ['restart'])];
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) {
      throw new InputError({ field: `actions[${i}]`, value: a, accepted: `one of ${ACTIONS.map((x) => JSON.stringify(x)).join(', ')}` });
    }
  });
  if (new Set(actions).size !== actions.length) throw new InputError({ field: 'actions', value: actions, accepted: 'each action at most once' });
  const cooldownMinutes = checkRange('cooldownMinutes', options.cooldownMinutes ?? 30, 0, 7 * 24 * 60, ' minutes');
  const maxActionsPerRun = checkInteger('maxActionsPerRun', options.maxActionsPerRun ?? 3, 0, 1000);
  const waitSeconds = checkRange('waitSeconds', options.waitSeconds ?? 30, 0, 3600, ' s');
  const requestTimeoutSeconds = checkRange('requestTimeoutSeconds', options.requestTimeoutSeconds ?? 10, 1, 300, ' s');
  if (actions.includes('flush-redis') && !options.redis) {
    throw new InputError({ field: 'redis', value: undefined, accepted: 'a Redis target ({ host, workload, port?, passwordSecret? }) when actions include "flush-redis"' });
  }
  let redisWorkload: WorkloadRef | undefined;
  if (options.redis) {
    const w = options.redis.workload;
    if (!w) {
      throw new InputError({
        field: 'redis.workload',
        value: undefined,
        accepted: 'the cache\'s own Deployment or StatefulSet ({ kind, name, namespace? })',
        reason: 'flush-redis acts only on the workload the cache belongs to: emptying it frees no memory in any other workload',
      });
    }
    checkOneOf('redis.workload.kind', w.kind, ['Deployment', 'StatefulSet'] as const);
    if (typeof w.name !== 'string' || !DNS_SUBDOMAIN.test(w.name)) {
      throw new InputError({ field: 'redis.workload.name', value: w.name, accepted: 'a workload name (lowercase DNS subdomain)' });
    }
    if (w.namespace === undefined && namespaces.length > 1) {
      throw new InputError({ field: 'redis.workload.namespace', value: undefined, accepted: `one of the target namespaces (${namespaces.join(', ')})`, reason: 'there are several target namespaces' });
    }
    const workloadNamespace = w.namespace ?? namespaces[0];
    if (!namespaces.includes(workloadNamespace)) {
      throw new InputError({ field: 'redis.workload.namespace', value: workloadNamespace, accepted: `one of the target namespaces (${namespaces.join(', ')})` });
    }
    redisWorkload = { namespace: workloadNamespace, kind: w.kind, name: w.name };
    if (typeof options.redis.host !== 'string' || !/^[a-zA-Z0-9]([-.a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(options.redis.host)) {
      throw new InputError({ field: 'redis.host', value: options.redis.host, accepted: 'a host name or IP address' });
    }
    checkInteger('redis.port', options.redis.port ?? 6379, 1, 65535);
    if (options.redis.passwordSecret) checkSecret('redis.passwordSecret', options.redis.passwordSecret);
  }
  if (options.restartSingleReplica !== undefined && typeof options.restartSingleReplica !== 'boolean') {
    throw new InputError({ field: 'restartSingleReplica', value: options.restartSingleReplica, accepted: 'true or false' });
  }
  if (actions.includes('raise-limit') && options.raiseLimitFactor === undefined) {
    throw new InputError({
      field: 'raiseLimitFactor',
      value: undefined,
      accepted: 'a factor from 1.01 to 3 when actions include "raise-limit" (off by default: the next GitOps sync reverts it and it hides leaks)',
    });
  }
  if (options.raiseLimitFactor !== undefined) checkRange('raiseLimitFactor', options.raiseLimitFactor, 1.01, 3);
  let escalation: RemediationConfig['escalation'];
  const e = options.escalation;
  if (e) {
    if ((e.github === undefined) === (e.webhook === undefined)) {
      throw new InputError({ field: 'escalation', value: Object.keys(e), accepted: 'exactly one of github or webhook' });
    }
    if (e.github) {
      if (typeof e.github.repository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(e.github.repository)) {
        throw new InputError({ field: 'escalation.github.repository', value: e.github.repository, accepted: '"owner/name"' });
      }
      checkSecret('escalation.github.tokenSecret', e.github.tokenSecret);
      const labels = [...(e.github.labels ?? ['memguard', 'memory-incident'])];
      if (labels.length === 0 || labels.some((l) => typeof l !== 'string' || l.trim() === '' || l.includes(','))) {
        throw new InputError({ field: 'escalation.github.labels', value: labels, accepted: 'a non-empty list of label names without commas' });
      }
      escalation = {
        kind: 'github',
        apiUrl: checkUrl('escalation.github.apiUrl', e.github.apiUrl ?? 'https://api.github.com'),
        repository: e.github.repository,
        labels,
      };
    } else {
      checkSecret('escalation.webhook.urlSecret', e.webhook!.urlSecret);
      escalation = { kind: 'webhook' };
    }
  }

  const selectors = q.resolveSelectors(options.selectors);
  const scope = remediationScope(namespaces);
  const ratio = q.workingSetToLimitRatio(selectors, scope);
  const thresholdRatio = thresholdPercent / 100;
  return {
    prometheusUrl: checkUrl('prometheusUrl', options.prometheusUrl ?? DEFAULT_PROMETHEUS_URL),
    ratioQuery: ratio,
    thresholdRatio,
    namespaces,
    actions,
    cooldownSeconds: Math.round(cooldownMinutes * 60),
    maxActionsPerRun,
    waitSeconds,
    dryRun: options.dryRun ?? false,
    restartSingleReplica: options.restartSingleReplica ?? false,
    requestTimeoutSeconds,
    kubernetes: {
      apiUrl: checkUrl('kubernetesApiUrl', options.kubernetesApiUrl ?? IN_CLUSTER_API_URL),
      tokenPath: `${SERVICE_ACCOUNT_DIR}/token`,
      caPath: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
    },
    diagnostics: {
      peakQuery: `max_over_time((${ratio})[1h:1m])`,
      minutesAboveQuery: `count_over_time(((${ratio}) > ${thresholdRatio})[6h:1m])`,
      growthQuery: q.containerWorkingSetGrowing(selectors, scope, '1h'),
      oomKillsQuery: q.containerOomKilledRestarts(selectors, scope, '1h'),
      nodePressureQuery: q.nodeMemoryPressureCondition(selectors),
    },
    ...(escalation ? { escalation } : {}),
    ...(options.redis ? {
      redis: {
        host: options.redis.host,
        port: options.redis.port ?? 6379,
        passwordFromEnv: options.redis.passwordSecret !== undefined,
        workload: redisWorkload!,
      },
    } : {}),
    ...(options.raiseLimitFactor !== undefined ? { raiseLimit: { factor: options.raiseLimitFactor } } : {}),
  };
}
