import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MemoryAlerts, MemoryAlertsProps } from './memory-alerts';
import { MemoryDashboard, MemoryDashboardProps } from './memory-dashboard';
import { MemoryLimitPolicy, workloadsAsEmitted } from './memory-limit-policy';
import { MemoryRemediation, MemoryRemediationProps } from './memory-remediation';
import { MemoryTunedDeployment, MemoryTunedDeploymentProps } from './memory-tuned-deployment';
import { NamespaceGuardrails } from './namespace-guardrails';
import { NodeSwap, NodeSwapProps } from './node-swap';
import { OdooTuning, OdooTuningProps } from './odoo-tuning';
import { PgBouncerConfig, PgBouncerConfigProps } from './pgbouncer-config';
import { PostgresTuning, PostgresTuningProps } from './postgres-tuning';
import { RedisCache, RedisCacheProps } from './redis-cache';
import { SwapDaemonSet, SwapDaemonSetProps } from './swap-daemon-set';
import { memoizeForSynthesis } from './synthesis-memo';
import { AlertRule, MemorySignals, PanelSection } from '../observability/types';
import {
  MemoryNearLimitAlertOptions, WorkloadIdentity, workloadDashboardSection, WorkloadKind, workloadMemoryNearLimitRule,
} from '../observability/workload-signals';
import { checkInteger, checkNamespaceName, checkOneOf, checkRange, InputError } from '../sizing/errors';
import { NamespaceGuardrailsOptions, ResolvedGuardrails } from '../sizing/guardrails';
import { MemoryLimitPolicyOptions, podSpecOf } from '../sizing/limit-policy';
import { workloadMemoryShares } from '../sizing/namespace-budget';
import { Cpu, Memory } from '../sizing/quantity';
import { sizeStack, StackInput, StackSettings } from '../sizing/stack';

/** VerticalPodAutoscaler update modes (`Auto` is deprecated: it means Recreate). */
export const VPA_UPDATE_MODES = ['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate'] as const;
/** A VerticalPodAutoscaler update mode. */
export type VpaUpdateMode = typeof VPA_UPDATE_MODES[number];

/** How a guarded workload is autoscaled: the runbook's "auto-scaling based on memory", done safely. */
export interface WorkloadAutoscaling {
  /**
   * A VerticalPodAutoscaler for the workload. `Off` only records recommendations, so right-sizing data exists without
   * pods being evicted; `false` emits none. The VPA CRD and recommender must be installed in the cluster.
   * @default 'Off'
   * @see https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler
   */
  readonly verticalPodAutoscaler?: VpaUpdateMode | false;
  /**
   * A HorizontalPodAutoscaler on memory utilization (relative to the request). Off unless asked for: memory rarely falls
   * after load (caches, garbage-collected heaps), so it scales up and never back down. Prefer CPU or request-rate
   * metrics. Never combined with an active VPA (one that is not `Off`) on the same workload.
   * @default - none
   * @see https://github.com/kubernetes/kubernetes/issues/28986
   */
  readonly horizontalOnMemory?: {
    /** @default 1 */
    readonly minReplicas?: number;
    readonly maxReplicas: number;
    /**
     * Target average memory utilization, in percent of the request.
     * @default 80
     */
    readonly averageUtilizationPercent?: number;
  };
}

/** Options every guarded workload takes besides its own props. */
export interface GuardedWorkloadOptions {
  /** @default - the guard's `autoscaling` */
  readonly autoscaling?: WorkloadAutoscaling;
}

/** Swap for the nodes: the node configuration (default), and optionally the opt-in DaemonSet. */
export interface GuardedSwapProps {
  /** @default - NodeSwap defaults */
  readonly node?: Omit<NodeSwapProps, 'namespace'>;
  /**
   * Also deploy the privileged `SwapDaemonSet` (in its own namespace) for clusters whose node images cannot change.
   * @default - none
   */
  readonly daemonSet?: SwapDaemonSetProps;
}

/** A Secret key reference, as the workloads read their passwords. */
export interface SecretKeyRef {
  readonly secretName: string;
  /** @default - the construct's default key */
  readonly key?: string;
}

/**
 * Odoo, PgBouncer and PostgreSQL sized together from one memory share (`sizeStack`) and wired to each other: Odoo talks
 * to PgBouncer, PgBouncer to PostgreSQL, and PgBouncer is sized for PostgreSQL's `max_connections`.
 */
export interface OdooStackProps extends Omit<StackInput, 'ram'> {
  /** The memory the three share (their limits add up to it). */
  readonly memory: Memory;
  /** The existing Secrets with the passwords (never in a manifest). */
  readonly secrets: {
    /** PostgreSQL's superuser password (`POSTGRES_PASSWORD`). */
    readonly postgresPassword: SecretKeyRef;
    /** PgBouncer's `userlist.txt`. */
    readonly pgbouncerUserlist: SecretKeyRef;
    /** The password Odoo connects with. */
    readonly odooDatabasePassword: SecretKeyRef;
  };
  /**
   * Odoo's rollout strategy. `Recreate` keeps a rollout inside the quota (no surge pod of Odoo's size).
   * @default 'Recreate'
   */
  readonly odooStrategy?: 'RollingUpdate' | 'Recreate';
  /** @default - PostgresTuning's default (10Gi) */
  readonly postgresStorage?: Memory;
  /** Odoo's database user. @default 'odoo' */
  readonly odooDatabaseUser?: string;
  /**
   * The CPU the three request together (the namespace's `requests.cpu` quota counts requests). PgBouncer gets 100m and
   * PostgreSQL and Odoo half of the rest each. `cpus` still sizes the configuration files (workers, parallel workers):
   * neither has a CPU limit, so each can use idle CPU beyond its request.
   * @default - `cpus`
   */
  readonly cpuRequest?: Cpu;
  /** @default - the guard's `autoscaling` */
  readonly autoscaling?: WorkloadAutoscaling;
}

/** What `addOdooStack` created. */
export interface OdooStack {
  readonly sizing: StackSettings;
  readonly postgres: PostgresTuning;
  readonly pgbouncer: PgBouncerConfig;
  readonly odoo: OdooTuning;
}

/** Props of `MemoryGuard`. */
export interface MemoryGuardProps {
  /**
   * The guarded namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Also emit the Namespace, labelled to enforce Pod Security "restricted".
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * The namespace's memory budget: the ResourceQuota, and the check that every workload's peak fits it.
   * @default - no quota and no budget check
   */
  readonly memoryBudget?: Memory;
  /** @default - no CPU quota */
  readonly cpuBudget?: Cpu;
  /**
   * LimitRange values beyond those derived from the budget; `false` emits no LimitRange or ResourceQuota.
   * @default - derived from `memoryBudget`
   */
  readonly guardrails?: Omit<NamespaceGuardrailsOptions, 'memoryBudget' | 'cpuBudget'> | false;
  /**
   * Alert and escalation configuration. Every workload's alerts join the one PrometheusRule.
   * @default - memguard's default alerts and escalation ladder
   */
  readonly alerts?: Omit<MemoryAlertsProps, 'namespace' | 'signals'>;
  /**
   * Dashboard options; `false` emits none. Every workload gets its own row. The dashboard is the namespace's own: its
   * uid and ConfigMap key default to `memguard-<namespace>` (so guarded namespaces do not overwrite each other's in
   * Grafana) and it opens on the namespace.
   * @default - a dashboard ConfigMap for the Grafana sidecar, uid `memguard-<namespace>`
   */
  readonly dashboard?: Omit<MemoryDashboardProps, 'namespace' | 'signals'> | false;
  /**
   * Automated remediation for the namespace. Off unless configured: restarts are intrusive, and escalation needs a
   * target (a GitHub repository or a webhook).
   * @default - none
   */
  readonly remediation?: Omit<MemoryRemediationProps, 'namespace' | 'targetNamespaces'>;
  /**
   * The limits policy over the rest of the chart (every workload of the chart, not only the guarded ones); `false`
   * applies none.
   * @default - fill in missing requests and limits with the LimitRange default
   */
  readonly limitPolicy?: MemoryLimitPolicyOptions | false;
  /**
   * A per-workload memory-near-limit alert (`WorkloadMemoryNearLimit`), for a threshold that differs from the
   * namespace's. Without it the guard's `ContainerMemoryNearLimit` (scoped to the namespace, with escalation) already
   * covers every container, and a second rule on the same series would page twice.
   * @default - none
   */
  readonly workloadAlert?: MemoryNearLimitAlertOptions;
  /**
   * Include the node alerts (NodeMemoryHigh, NodeOOMKillDetected, NodeSwapFillingUp, NodeMemoryPressure,
   * NodeMemoryMajorPageFaults) in this guard's PrometheusRule. They are cluster-wide: when several namespaces are
   * guarded, keep them in one guard and set `false` in the others, or every node alert fires once per guard.
   * @default true
   */
  readonly nodeAlerts?: boolean;
  /**
   * Autoscaling for every guarded workload that has no `autoscaling` of its own.
   * @default - a VerticalPodAutoscaler in recommendation mode (`Off`), no HPA
   */
  readonly autoscaling?: WorkloadAutoscaling;
  /** Workloads declared up front (the Pulumi component takes them this way), keyed by id. @default - none */
  readonly deployments?: Readonly<Record<string, MemoryTunedDeploymentProps & GuardedWorkloadOptions>>;
  /** @default - none */
  readonly redisCaches?: Readonly<Record<string, RedisCacheProps & GuardedWorkloadOptions>>;
  /** @default - none */
  readonly postgres?: Readonly<Record<string, PostgresTuningProps & GuardedWorkloadOptions>>;
  /** @default - none */
  readonly pgbouncers?: Readonly<Record<string, PgBouncerConfigProps & GuardedWorkloadOptions>>;
  /** @default - none */
  readonly odoo?: Readonly<Record<string, OdooTuningProps & GuardedWorkloadOptions>>;
  /** Odoo + PgBouncer + PostgreSQL stacks, keyed by id (see `addOdooStack`). @default - none */
  readonly odooStacks?: Readonly<Record<string, OdooStackProps>>;
  /** @default - none */
  readonly swap?: GuardedSwapProps;
}

/** One workload the guard watches. */
interface Guarded {
  readonly id: string;
  readonly construct: Construct;
  readonly controllers: readonly ApiObject[];
  readonly own?: MemorySignals;
}

const CONTROLLER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Superuser connections PostgreSQL keeps back (`superuser_reserved_connections` default). */
const SUPERUSER_RESERVED = 3;

/**
 * One construct that guards a namespace end to end (in the spirit of cdk-monitoring-constructs' MonitoringFacade): the
 * guardrails, every workload added through it with its signals collected, one PrometheusRule and one dashboard with a
 * row per workload, optional remediation, VerticalPodAutoscalers in recommendation mode, and a check at synth time that
 * the namespace adds up (workload peaks fit the quota; Odoo's connections fit PostgreSQL or go through PgBouncer).
 */
export class MemoryGuard extends Construct {
  public readonly namespace: string;
  public readonly guardrails?: NamespaceGuardrails;
  public readonly alerts: MemoryAlerts;
  public readonly dashboard?: MemoryDashboard;
  public readonly remediation?: MemoryRemediation;
  public readonly limitPolicy?: MemoryLimitPolicy;
  private readonly props: MemoryGuardProps;
  private readonly guarded: Guarded[] = [];
  private readonly postgresInstances: PostgresTuning[] = [];
  private readonly odooInstances: OdooTuning[] = [];
  private readonly pgbouncerInstances: PgBouncerConfig[] = [];
  private readonly hpaMaxReplicas = new Map<string, number>();

  constructor(scope: Construct, id: string, props: MemoryGuardProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) throw new InputError({ field: 'namespace', value: namespace, accepted: 'a namespace name (or a chart with a namespace)' });
    this.namespace = checkNamespaceName('namespace', namespace);
    this.props = props;
    if (props.autoscaling) checkAutoscaling('autoscaling', props.autoscaling);
    if (props.workloadAlert) workloadMemoryNearLimitRule({ kind: 'Deployment', name: 'x', signalName: 'x' }, props.workloadAlert);

    if (props.guardrails !== false) {
      this.guardrails = new NamespaceGuardrails(this, 'Guardrails', {
        ...props.guardrails,
        namespace,
        createNamespace: props.createNamespace,
        memoryBudget: props.memoryBudget,
        cpuBudget: props.cpuBudget,
      });
    }
    this.alerts = new MemoryAlerts(this, 'Alerts', guardAlertsProps(props, namespace));
    if (props.dashboard !== false) {
      this.dashboard = new MemoryDashboard(this, 'Dashboard', { ...guardDashboardDefaults(namespace), ...props.dashboard, namespace });
    }
    const policy = this.limitPolicyOptions();
    if (policy) this.limitPolicy = new MemoryLimitPolicy(this, 'LimitPolicy', policy);

    const redisCaches = Object.entries(props.redisCaches ?? {}).map(([wid, p]) => [this.addRedisCache(wid, p), p] as const);
    for (const [wid, p] of Object.entries(props.deployments ?? {})) this.addDeployment(wid, p);
    for (const [wid, p] of Object.entries(props.postgres ?? {})) this.addPostgres(wid, p);
    for (const [wid, p] of Object.entries(props.pgbouncers ?? {})) this.addPgBouncer(wid, p);
    for (const [wid, p] of Object.entries(props.odoo ?? {})) this.addOdoo(wid, p);
    for (const [wid, p] of Object.entries(props.odooStacks ?? {})) this.addOdooStack(wid, p);
    if (props.swap) this.addSwap('Swap', props.swap);

    if (props.remediation) {
      // flush-redis needs the cache's address: with exactly one declared RedisCache, the guard wires it.
      const [onlyRedis] = redisCaches.length === 1 ? redisCaches : [];
      const redis = props.remediation.redis ?? (onlyRedis && props.remediation.actions?.includes('flush-redis') ? {
        host: `${onlyRedis[0].serviceName}.${namespace}.svc`,
        // FLUSHALL frees memory only in the cache itself: the program flushes when this workload is the one above.
        workload: { kind: 'Deployment' as const, name: onlyRedis[0].deployment.name },
        passwordSecret: onlyRedis[1].password ? { secretName: onlyRedis[1].password.secretName, key: onlyRedis[1].password.key ?? 'password' } : undefined,
      } : undefined);
      this.remediation = new MemoryRemediation(this, 'Remediation', { ...props.remediation, redis, namespace, targetNamespaces: [namespace] });
    }

    // cdk8s validates every construct before rendering anything: the namespace-wide checks run once all is added.
    this.node.addValidation({ validate: memoizeForSynthesis(this, () => this.checkNamespaceAddsUp()) });
  }

  /** Adds a `MemoryTunedDeployment` whose signals the guard collects. */
  public addDeployment(id: string, props: MemoryTunedDeploymentProps & GuardedWorkloadOptions): MemoryTunedDeployment {
    const deployment = new MemoryTunedDeployment(this, id, { ...props, namespace: this.namespace });
    // cdk8s-plus keeps its Deployment's ApiObject protected; it is the construct's one Deployment object.
    const controller = deployment.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')!;
    return this.guard(id, deployment, props.autoscaling, [controller]);
  }

  /** Adds a `RedisCache`; its redis_exporter alerts and panels join the guard's. */
  public addRedisCache(id: string, props: RedisCacheProps & GuardedWorkloadOptions = {}): RedisCache {
    const redis = new RedisCache(this, id, { ...props, namespace: this.namespace });
    return this.guard(id, redis, props.autoscaling, [redis.deployment], redis);
  }

  /** Adds a `PostgresTuning` (its StatefulSet, when it owns one, is guarded). */
  public addPostgres(id: string, props: PostgresTuningProps & GuardedWorkloadOptions): PostgresTuning {
    const postgres = new PostgresTuning(this, id, { ...props, namespace: this.namespace });
    this.postgresInstances.push(postgres);
    return this.guard(id, postgres, props.autoscaling, postgres.statefulSet ? [postgres.statefulSet] : []);
  }

  /** Adds a `PgBouncerConfig` and its Deployment. */
  public addPgBouncer(id: string, props: PgBouncerConfigProps & GuardedWorkloadOptions): PgBouncerConfig {
    const pgbouncer = new PgBouncerConfig(this, id, { ...props, namespace: this.namespace });
    this.pgbouncerInstances.push(pgbouncer);
    return this.guard(id, pgbouncer, props.autoscaling, [pgbouncer.deployment]);
  }

  /** Adds an `OdooTuning` (its Deployment, when it owns one, is guarded). */
  public addOdoo(id: string, props: OdooTuningProps & GuardedWorkloadOptions): OdooTuning {
    const odoo = new OdooTuning(this, id, { ...props, namespace: this.namespace });
    this.odooInstances.push(odoo);
    return this.guard(id, odoo, props.autoscaling, odoo.deployment ? [odoo.deployment] : []);
  }

  /**
   * Adds Odoo, PgBouncer and PostgreSQL sized together from one memory share and wired to each other (Odoo -> PgBouncer
   * -> PostgreSQL), each guarded like the other workloads.
   */
  public addOdooStack(id: string, props: OdooStackProps): OdooStack {
    const { memory, secrets, odooStrategy, postgresStorage, odooDatabaseUser, autoscaling, cpuRequest: _cpuRequest, ...stackInput } = props;
    if (!(memory instanceof Memory)) throw new InputError({ field: `${id}.memory`, value: memory, accepted: 'a Memory such as Memory.parse("8Gi")' });
    const pgbouncerCpu = Cpu.millis(100);
    const totalCpu = props.cpuRequest ?? Cpu.cores(props.cpus);
    if (totalCpu.millis < pgbouncerCpu.millis + 2) {
      throw new InputError({ field: `${id}.cpuRequest`, value: totalCpu.toString(), accepted: 'more than 100m (PgBouncer\'s request) plus 1m each for PostgreSQL and Odoo' });
    }
    const halfCpu = Cpu.millis(Math.floor((totalCpu.millis - pgbouncerCpu.millis) / 2));
    const sizing = sizeStack({ ...stackInput, ram: memory });
    const share = (component: string): Memory => sizing.split.find((s) => s.component === component)!.memory;
    const postgres = this.addPostgres(`${id}Postgres`, {
      limit: share('postgres'),
      cpus: props.cpus,
      pgVersion: props.pgVersion,
      dbType: props.dbType,
      storage: props.storage,
      maxConnections: sizing.postgres.maxConnections,
      // PgBouncer closes idle server connections, and Odoo's LISTEN connections are idle by design.
      idleSessionTimeoutMs: 0,
      workload: {
        passwordSecret: secrets.postgresPassword,
        storage: postgresStorage,
        cpu: halfCpu,
        applicationRole: { name: odooDatabaseUser ?? 'odoo', database: 'odoo', passwordSecret: secrets.odooDatabasePassword, createDb: false },
      },
      autoscaling,
    });
    const pgbouncer = this.addPgBouncer(`${id}PgBouncer`, {
      odoo: sizing.odoo,
      maxConnections: postgres.maxConnections,
      postgresVersion: props.pgVersion,
      poolMode: props.poolMode,
      directConnections: props.directConnections,
      upstreamHost: postgres.serviceName!,
      authSecret: secrets.pgbouncerUserlist,
      memory: share('pgbouncer'),
      cpu: pgbouncerCpu,
      autoscaling,
    });
    const odoo = this.addOdoo(`${id}Odoo`, {
      limit: share('odoo'),
      cpus: props.cpus,
      concurrentUsers: props.concurrentUsers,
      replicas: props.odooReplicas,
      maxCronThreads: props.maxCronThreads,
      dbMaxconn: props.dbMaxconn,
      conf: { dbHost: pgbouncer.serviceName, dbPort: pgbouncer.port, dbUser: odooDatabaseUser ?? 'odoo', dbName: 'odoo' },
      workload: { passwordSecret: secrets.odooDatabasePassword, strategy: odooStrategy ?? 'Recreate', cpu: halfCpu },
      autoscaling,
    });
    return { sizing, postgres, pgbouncer, odoo };
  }

  /**
   * Adds node swap: the kubelet fragment and bootstrap snippet (`NodeSwap`), and optionally the privileged
   * `SwapDaemonSet` in its own namespace. Swap alerts (NodeSwapFillingUp) are part of the default alert set.
   */
  public addSwap(id: string, props: GuardedSwapProps = {}): { node: NodeSwap; daemonSet?: SwapDaemonSet } {
    const node = new NodeSwap(this, id, { ...props.node, namespace: this.namespace });
    const daemonSet = props.daemonSet ? new SwapDaemonSet(this, `${id}DaemonSet`, props.daemonSet) : undefined;
    return { node, daemonSet };
  }

  /** Every workload's signals, as collected (for a dashboard or rule set outside the guard). */
  public signals(): MemorySignals[] {
    return this.guarded.map((g) => this.signalsOf(g));
  }

  private guard<T extends Construct>(
    id: string, construct: T, autoscaling: WorkloadAutoscaling | undefined, controllers: ApiObject[], own?: MemorySignals,
  ): T {
    if (this.guarded.some((g) => g.id === id)) {
      throw new InputError({ field: 'id', value: id, accepted: 'an id not yet used by another workload of this MemoryGuard' });
    }
    const entry: Guarded = { id, construct, controllers, own };
    this.guarded.push(entry);
    const signals = this.signalsOf(entry);
    // A workload with no rules of its own adds no (empty) rule group; its dashboard row is always added.
    if (signals.alertRules().length > 0) this.alerts.addSignals(signals);
    this.dashboard?.addSignals(signals);
    const scaling = autoscaling ?? this.props.autoscaling ?? {};
    checkAutoscaling(`${id}.autoscaling`, scaling);
    for (const controller of controllers) this.addAutoscalers(id, controller, scaling);
    return construct;
  }

  private signalsOf(entry: Guarded): MemorySignals {
    const identities: WorkloadIdentity[] = entry.controllers
      .filter((c) => CONTROLLER_KINDS.has(c.kind))
      .map((c) => ({ kind: c.kind as WorkloadKind, name: c.name, namespace: this.namespace, signalName: entry.id }));
    const alertOptions = this.props.workloadAlert;
    return {
      signalName: entry.id,
      alertRules: (): AlertRule[] => [
        ...(alertOptions ? identities.map((identity) => workloadMemoryNearLimitRule(identity, alertOptions)) : []),
        ...(entry.own?.alertRules() ?? []),
      ],
      dashboardSection: (): PanelSection => ({
        title: entry.id,
        panels: [
          ...identities.flatMap((identity) => workloadDashboardSection(identity, alertOptions?.selectors).panels
            .map((panel) => ({ ...panel, title: `${identity.kind} ${identity.name}: ${panel.title}` }))),
          ...(entry.own?.dashboardSection().panels ?? []),
        ],
      }),
    };
  }

  private addAutoscalers(id: string, controller: ApiObject, scaling: WorkloadAutoscaling): void {
    const targetRef = { apiVersion: 'apps/v1', kind: controller.kind, name: controller.name };
    const vpaMode = scaling.verticalPodAutoscaler ?? 'Off';
    if (vpaMode !== false) {
      new ApiObject(this, `${id}Vpa${controller.kind}`, {
        apiVersion: 'autoscaling.k8s.io/v1',
        kind: 'VerticalPodAutoscaler',
        metadata: { namespace: this.namespace, name: `${controller.name}-vpa` },
        // No resourcePolicy: its defaults are what the guard wants (every container, memory and CPU, requests and
        // limits kept in proportion), and a thousand workloads' VPAs stay small to synthesize and to read.
        spec: { targetRef, updatePolicy: { updateMode: vpaMode } },
      });
    }
    const hpa = scaling.horizontalOnMemory;
    if (hpa) {
      if (controller.kind === 'DaemonSet') {
        throw new InputError({ field: `${id}.autoscaling.horizontalOnMemory`, value: controller.kind, accepted: 'a Deployment or StatefulSet (a DaemonSet runs one pod per node)' });
      }
      this.hpaMaxReplicas.set(`${controller.kind}/${controller.name}`, hpa.maxReplicas);
      new k8s.KubeHorizontalPodAutoscalerV2(this, `${id}Hpa${controller.kind}`, {
        metadata: { namespace: this.namespace, name: `${controller.name}-hpa` },
        spec: {
          scaleTargetRef: targetRef,
          minReplicas: hpa.minReplicas ?? 1,
          maxReplicas: hpa.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: hpa.averageUtilizationPercent ?? 80 } },
          }],
        },
      });
    }
  }

  /** The limits policy as applied: the LimitRange's default limit unless the props say otherwise. */
  private limitPolicyOptions(): MemoryLimitPolicyOptions | undefined {
    if (this.props.limitPolicy === false) return undefined;
    return { defaultLimit: this.guardrails?.values.defaultMemoryLimit, ...this.props.limitPolicy };
  }

  /** The namespace-wide checks: each violation is one line of the synthesis error. */
  private checkNamespaceAddsUp(): string[] {
    const problems: string[] = [];
    const budget = this.props.memoryBudget;
    const cpuBudget = this.props.cpuBudget;
    const guardrails = this.guardrails?.values;
    if (budget || cpuBudget || guardrails) {
      // What is emitted, with each chart's limits policies filled in: the guard's chart and any chart nested in it.
      const charts = new Set(Chart.of(this).node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => Chart.of(o)));
      const objects = [...charts].flatMap(workloadsAsEmitted)
        .filter(({ object }) => (object.metadata.namespace ?? Chart.of(object).namespace) === this.namespace)
        .map(({ json }) => json);
      const shares = workloadMemoryShares(objects, this.hpaMaxReplicas);
      const total = Memory.sum(shares.map((s) => s.total));
      if (budget && total.isGreaterThan(budget)) {
        const lines = shares.map((s) => `${s.kind} ${s.name}: ${s.podLimit.toHuman()} x ${s.pods} (${s.podsReason}) = ${s.total.toHuman()}`);
        problems.push(`the workloads' peak memory limits add up to ${total.toHuman()}, above the ResourceQuota ${budget.toHuman()} `
          + `(limits.memory); pods past it are rejected, and a rollout stalls on its surge pod. Workloads: ${lines.join('; ')}. `
          + 'Raise memoryBudget, lower the limits, or use a Recreate strategy / maxSurge 0 where a surge pod does not fit.');
      }
      const cpuTotal = shares.reduce((sum, s) => sum + s.cpuTotalMillis, 0);
      if (cpuBudget && cpuTotal > cpuBudget.millis) {
        const lines = shares.map((s) => `${s.kind} ${s.name}: ${Cpu.millis(s.podCpuRequestMillis)} x ${s.pods} = ${Cpu.millis(s.cpuTotalMillis)}`);
        problems.push(`the workloads' peak CPU requests add up to ${Cpu.millis(cpuTotal)}, above the ResourceQuota ${cpuBudget} (requests.cpu): `
          + `pods past it are rejected. Workloads: ${lines.join('; ')}. Raise cpuBudget or lower the CPU requests (for an Odoo stack: cpuRequest).`);
      }
      if (budget) {
        for (const share of shares.filter((s) => s.unlimitedContainers.length > 0)) {
          problems.push(`${share.kind} ${share.name}: containers ${share.unlimitedContainers.join(', ')} have no memory limit, so the ResourceQuota rejects the pod`);
        }
      }
      if (guardrails) problems.push(...limitRangeViolations(objects, guardrails));
    }
    if (this.odooInstances.length > 0 && this.postgresInstances.length > 0 && this.pgbouncerInstances.length === 0) {
      const connections = this.odooInstances.reduce((sum, o) => sum + o.worstCaseConnections, 0);
      for (const postgres of this.postgresInstances) {
        const usable = postgres.maxConnections - SUPERUSER_RESERVED;
        if (connections > usable) {
          problems.push(`Odoo's worst case is ${connections} PostgreSQL connections ((workers + cron + 1) x db_maxconn x replicas), `
            + `above the ${usable} that max_connections ${postgres.maxConnections} leaves after ${SUPERUSER_RESERVED} superuser connections: `
            + 'add a PgBouncer (addPgBouncer), lower db_maxconn or workers, or raise the PostgreSQL limit');
        }
      }
    }
    for (const pgbouncer of this.pgbouncerInstances) {
      for (const postgres of this.postgresInstances) {
        if (pgbouncer.settings.maxConnections !== postgres.maxConnections) {
          problems.push(`PgBouncer ${pgbouncer.serviceName} was sized for max_connections ${pgbouncer.settings.maxConnections}, `
            + `but PostgreSQL ${postgres.serviceName ?? postgres.node.id} allows ${postgres.maxConnections}: pass the PostgresTuning's maxConnections to the PgBouncer`);
        }
      }
    }
    return problems;
  }
}

/**
 * The dashboard uid, title and default namespace of a guarded namespace.
 *
 * Each guarded namespace gets its own dashboard: Grafana keeps one dashboard per uid, and the sidecar one file per
 * ConfigMap key (`<uid>.json`), so guards sharing the default uid would overwrite each other's dashboard.
 * @internal
 */
export function guardDashboardDefaults(namespace: string): Pick<MemoryDashboardProps, 'uid' | 'title' | 'defaultNamespace'> {
  const readable = `memguard-${namespace}`;
  // Grafana's uid limit is 40 characters and a namespace has up to 63, so a long one keeps a prefix and a hash. The "_"
  // before the hash cannot occur in a namespace, so a hashed uid never equals the readable uid of a shorter namespace.
  const uid = readable.length <= 40 ? readable : `${readable.slice(0, 31)}_${createHash('sha256').update(namespace).digest('hex').slice(0, 8)}`;
  return { uid, title: `Kubernetes / Memory / ${namespace} (memguard)`, defaultNamespace: namespace };
}

/** The node alerts' tiers, all off (their names are the public contract). */
const NODE_ALERTS_OFF = {
  nodeMemoryHigh: { warning: false, critical: false },
  nodeOOMKillDetected: { warning: false },
  nodeSwapFillingUp: { warning: false },
  nodeMemoryPressure: { warning: false },
  nodeMemoryMajorPageFaults: { warning: false },
} as const;

/** The guard's alerts: container alerts scoped to its namespace, node alerts unless switched off. */
function guardAlertsProps(props: MemoryGuardProps, namespace: string): MemoryAlertsProps {
  const alerts = props.alerts ?? {};
  const base: MemoryAlertsProps = { ...alerts, namespace, scope: alerts.scope ?? { namespace } };
  if (props.nodeAlerts ?? true) return base;
  const escalation = alerts.escalation === false ? false : {
    ...alerts.escalation,
    alerts: (alerts.escalation?.alerts ?? ['ContainerMemoryNearLimit', 'NodeMemoryHigh']).filter((a) => a !== 'NodeMemoryHigh'),
  };
  return { ...base, thresholds: { ...alerts.thresholds, ...NODE_ALERTS_OFF }, escalation };
}

/**
 * Containers the guard's own LimitRange would reject at admission: a limit above `max`, a request or limit below `min`,
 * or a limit/request ratio above `maxLimitRequestRatio` (an explicit headroom with the default ratio of 1, say).
 */
function limitRangeViolations(objects: readonly any[], limits: ResolvedGuardrails): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const spec = podSpecOf(object);
    for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      const limitText = container.resources?.limits?.memory;
      const requestText = container.resources?.requests?.memory;
      const limit = limitText === undefined ? undefined : Memory.parse(String(limitText));
      const request = requestText === undefined ? limit : Memory.parse(String(requestText));
      const where = `${object.kind} ${object.metadata?.name}, container "${container.name}"`;
      if (limit && limit.isGreaterThan(limits.maxMemory)) {
        problems.push(`${where}: memory limit ${limit} is above the LimitRange max ${limits.maxMemory}, so admission rejects the pod`);
      }
      const smallest = [limit, request].filter((m): m is Memory => m !== undefined).find((m) => m.isLessThan(limits.minMemory));
      if (smallest) problems.push(`${where}: memory ${smallest} is below the LimitRange min ${limits.minMemory}, so admission rejects the pod`);
      if (limit && request && request.bytes > 0 && limit.ratioTo(request) > limits.maxLimitRequestRatio + 1e-9) {
        problems.push(`${where}: memory limit/request ${Number(limit.ratioTo(request).toFixed(3))} (${limit} / ${request}) is above the LimitRange `
          + `maxLimitRequestRatio ${limits.maxLimitRequestRatio}, so admission rejects the pod; set request == limit or raise guardrails.maxLimitRequestRatio`);
      }
    }
  }
  return problems;
}

/** Validates an autoscaling choice: a memory HPA and an active VPA never act on the same workload. */
function checkAutoscaling(field: string, scaling: WorkloadAutoscaling): void {
  const vpa = scaling.verticalPodAutoscaler;
  if (vpa !== undefined && vpa !== false) checkOneOf(`${field}.verticalPodAutoscaler`, vpa, VPA_UPDATE_MODES);
  const hpa = scaling.horizontalOnMemory;
  if (!hpa) return;
  const min = checkInteger(`${field}.horizontalOnMemory.minReplicas`, hpa.minReplicas ?? 1, 1, 1000);
  checkInteger(`${field}.horizontalOnMemory.maxReplicas`, hpa.maxReplicas, min, 1000);
  checkRange(`${field}.horizontalOnMemory.averageUtilizationPercent`, hpa.averageUtilizationPercent ?? 80, 10, 100, '%');
  if ((vpa ?? 'Off') !== 'Off' && vpa !== false) {
    throw new InputError({
      field: `${field}.verticalPodAutoscaler`,
      value: vpa,
      accepted: '"Off" or false when horizontalOnMemory is set: an active VPA and a memory HPA fight over the same signal',
    });
  }
}
