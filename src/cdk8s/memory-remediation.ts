import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkPinnedImage, quantity } from './workload-parts';
import { remediationConfig, RemediationOptions, SecretKeyReference } from '../remediation/config';
import { ENV_GITHUB_TOKEN, ENV_REDIS_PASSWORD, ENV_WEBHOOK_URL, RemediationConfig } from '../remediation/decide';
import { REMEDIATION_PROGRAM_JS } from '../remediation/program-bundle.generated';
import { checkInteger, checkNamespaceName, InputError } from '../sizing/errors';
import { Cpu, Memory } from '../sizing/quantity';
import { runtimeSettings } from '../sizing/runtime-settings';

/** The official Node.js image the program runs on, pinned (Node 20 LTS reads cgroup v2 limits from 20.3). */
export const DEFAULT_REMEDIATION_IMAGE = 'node:20.19.5-alpine3.22';

/** Where the ConfigMap (program and config) is mounted. */
export const REMEDIATION_MOUNT_PATH = '/opt/memguard';

/**
 * The Role rules in each target namespace, exactly as issue 6 specifies them: `get`/`list` pods and `get`/`patch`
 * Deployments and StatefulSets. Nothing on ReplicaSets: the program derives a pod's Deployment from the ReplicaSet's
 * name and the pod's `pod-template-hash` label, then checks it with a `get` of the Deployment.
 */
export const REMEDIATION_ROLE_RULES: readonly k8s.PolicyRule[] = [
  // GET one pod: its ownerReferences, labels and node. The program only GETs the pods Prometheus names; `list` is
  // granted because the RBAC includes it, and it reveals nothing `get` does not but the pod names, which
  // Prometheus already holds.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  // GET the owner check (selector), the cooldown annotation and the template; PATCH the restart, the cooldown
  // annotation and raise-limit.
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'patch'] },
];

/** Props of `MemoryRemediation`. */
export interface MemoryRemediationProps extends Partial<RemediationOptions> {
  /**
   * The namespace of the CronJob, ServiceAccount and ConfigMap (the Secrets it references must live here too).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * The namespaces whose Deployments and StatefulSets may be remediated; each gets a Role and a RoleBinding.
   * @default - [namespace]
   */
  readonly targetNamespaces?: readonly string[];
  /**
   * The CronJob schedule (cron syntax, in the controller manager's time zone unless `timeZone` is set).
   * @default '*\/5 * * * *'
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
   */
  readonly schedule?: string;
  /**
   * The official Node.js image, pinned to a version tag or digest.
   * @default 'node:20.19.5-alpine3.22'
   */
  readonly image?: string;
  /**
   * The job container's memory request and limit (equal).
   * @default 128Mi
   */
  readonly memory?: Memory;
  /**
   * The job container's CPU request (no CPU limit: it would only slow a short run down).
   * @default 50m
   */
  readonly cpu?: Cpu;
  /**
   * Seconds a run may take before Kubernetes stops it.
   * @default - waitSeconds + 5 minutes
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries of a failed run. 0: the next scheduled run is the retry, and a run that failed after acting is not repeated
   * at once.
   * @default 0
   */
  readonly backoffLimit?: number;
  /**
   * A run that could not start within this many seconds of its time is skipped.
   * @default 120
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Finished runs kept (successful and failed each), for `kubectl logs`.
   * @default 3
   */
  readonly historyLimit?: number;
}

/**
 * The runbook's automated response as a CronJob: every run asks Prometheus which containers in the target namespaces
 * are above the ContainerMemoryNearLimit threshold, remediates their Deployments and StatefulSets (restart, flush-redis,
 * raise-limit) within a cooldown and a per-run budget, waits, re-checks, and escalates what is still high (a GitHub
 * issue, never a duplicate, or a webhook). The program is memguard's own TypeScript, compiled to one JavaScript file in
 * a ConfigMap and run on the official `node` image: there is no image to build.
 *
 * RBAC is a Role and RoleBinding per target namespace (`REMEDIATION_ROLE_RULES`), nothing cluster-wide.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
export class MemoryRemediation extends Construct {
  /** The program's `config.json`, exactly as the ConfigMap holds it. */
  public readonly config: RemediationConfig;
  /** The namespace of the CronJob. */
  public readonly namespace: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** One Role per target namespace, in `targetNamespaces` order. */
  public readonly roles: readonly k8s.KubeRole[];
  /** One RoleBinding per target namespace, in `targetNamespaces` order. */
  public readonly roleBindings: readonly k8s.KubeRoleBinding[];

  constructor(scope: Construct, id: string, props: MemoryRemediationProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new InputError({ field: 'namespace', value: namespace, accepted: 'a namespace name (or a chart with a namespace)' });
    }
    this.namespace = checkNamespaceName('namespace', namespace);
    const targetNamespaces = props.targetNamespaces ?? [namespace];
    this.config = remediationConfig({ ...props, targetNamespaces });
    const schedule = props.schedule ?? '*/5 * * * *';
    if (schedule.trim().split(/\s+/).length !== 5 && !/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(schedule)) {
      throw new InputError({ field: 'schedule', value: schedule, accepted: 'a cron schedule of 5 fields, such as "*/5 * * * *", or a macro such as "@hourly"' });
    }
    const image = props.image ?? DEFAULT_REMEDIATION_IMAGE;
    checkPinnedImage('image', image, DEFAULT_REMEDIATION_IMAGE);
    const memory = props.memory ?? Memory.mebibytes(128);
    if (memory.isLessThan(Memory.mebibytes(64))) {
      throw new InputError({ field: 'memory', value: memory.toString(), accepted: 'at least 64Mi (Node.js itself needs about 40Mi)' });
    }
    const cpu = props.cpu ?? Cpu.millis(50);
    const minDeadline = Math.ceil(this.config.waitSeconds) + 60;
    const activeDeadlineSeconds = checkInteger('activeDeadlineSeconds', props.activeDeadlineSeconds ?? Math.ceil(this.config.waitSeconds) + 300, minDeadline);
    const backoffLimit = checkInteger('backoffLimit', props.backoffLimit ?? 0, 0, 10);
    const startingDeadlineSeconds = checkInteger('startingDeadlineSeconds', props.startingDeadlineSeconds ?? 120, 10);
    const historyLimit = checkInteger('historyLimit', props.historyLimit ?? 3, 0, 100);

    const labels = { 'app.kubernetes.io/name': 'memguard-remediation', 'app.kubernetes.io/managed-by': 'memguard' };
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { namespace, labels } });
    this.configMap = new k8s.KubeConfigMap(this, 'Program', {
      metadata: { namespace, labels },
      data: { 'remediate.js': REMEDIATION_PROGRAM_JS, 'config.json': `${JSON.stringify(this.config, null, 2)}\n` },
    });
    const roles: k8s.KubeRole[] = [];
    const bindings: k8s.KubeRoleBinding[] = [];
    targetNamespaces.forEach((target) => {
      const role = new k8s.KubeRole(this, `Role-${target}`, {
        metadata: { namespace: target, labels },
        rules: REMEDIATION_ROLE_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] })),
      });
      roles.push(role);
      bindings.push(new k8s.KubeRoleBinding(this, `RoleBinding-${target}`, {
        metadata: { namespace: target, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name, namespace }],
      }));
    });
    this.roles = roles;
    this.roleBindings = bindings;

    const secretEnv = (name: string, ref: SecretKeyReference): k8s.EnvVar => ({
      name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
    });
    const env: k8s.EnvVar[] = [
      { name: 'MEMGUARD_CONFIG', value: `${REMEDIATION_MOUNT_PATH}/config.json` },
      ...Object.entries(runtimeSettings('node', memory).env).map(([name, value]) => ({ name, value })),
    ];
    if (props.escalation?.github) env.push(secretEnv(ENV_GITHUB_TOKEN, props.escalation.github.tokenSecret));
    if (props.escalation?.webhook) env.push(secretEnv(ENV_WEBHOOK_URL, props.escalation.webhook.urlSecret));
    if (props.redis?.passwordSecret) env.push(secretEnv(ENV_REDIS_PASSWORD, props.redis.passwordSecret));

    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { namespace, labels },
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds,
        successfulJobsHistoryLimit: historyLimit,
        failedJobsHistoryLimit: historyLimit,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit,
            activeDeadlineSeconds,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: this.serviceAccount.name,
                // The program calls the API with this token (mounted at SERVICE_ACCOUNT_DIR, with the CA).
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 10001,
                  runAsGroup: 10001,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [{
                  name: 'remediate',
                  image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['node', `${REMEDIATION_MOUNT_PATH}/remediate.js`],
                  env,
                  resources: {
                    requests: { memory: quantity(memory), cpu: quantity(cpu) },
                    limits: { memory: quantity(memory) },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ['ALL'] },
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                  volumeMounts: [{ name: 'program', mountPath: REMEDIATION_MOUNT_PATH, readOnly: true }],
                }],
                volumes: [{ name: 'program', configMap: { name: this.configMap.name, defaultMode: 0o444 } }],
              },
            },
          },
        },
      },
    });
  }
}

