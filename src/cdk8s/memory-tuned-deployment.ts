import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkPinnedImage } from './workload-parts';
import { containerWorkingSet, resolveSelectors, SignalSelectors, workingSetToLimitRatio } from '../observability/queries';
import { AlertRule, MemorySignals, PanelSection } from '../observability/types';
import {
  MemoryNearLimitAlertOptions, WorkloadIdentity, workloadDashboardSection, workloadMemoryNearLimitRule, workloadScope,
} from '../observability/workload-signals';
import { containerMemory, ContainerMemory } from '../sizing/container-memory';
import { checkInteger, checkNamespaceName, checkOneOf, InputError } from '../sizing/errors';
import { IncidentModeOptions, IncidentSettings, incidentSettings, mergeIncidentEnv } from '../sizing/incident-mode';
import { Cpu, Memory } from '../sizing/quantity';
import { Runtime, RUNTIMES, runtimeSettings, RuntimeSettingsOptions } from '../sizing/runtime-settings';

/** One container of a `MemoryTunedDeployment`. */
export interface MemoryTunedContainerProps {
  /** The image, pinned to a version tag or a digest (no tag, or `latest`, is rejected). */
  readonly image: string;
  /**
   * The container name.
   * @default 'main' for the first container, `container-<index>` for the others
   */
  readonly name?: string;
  /**
   * The runtime inside, which decides the environment derived from the memory limit.
   * @default 'generic'
   */
  readonly runtime?: Runtime;
  /**
   * The memory limit.
   * @default - derived from `memoryRequest`, else 512Mi
   */
  readonly memoryLimit?: Memory;
  /**
   * The memory request.
   * @default - the limit (Guaranteed memory QoS)
   */
  readonly memoryRequest?: Memory;
  /**
   * How far the limit may exceed the request, in percent of the request.
   * @default 0
   */
  readonly memoryHeadroomPercent?: number;
  /**
   * The CPU request.
   * @default 100m
   */
  readonly cpuRequest?: Cpu;
  /**
   * The CPU limit. CPU is compressible and a limit throttles, so none by default.
   * @default - none
   */
  readonly cpuLimit?: Cpu;
  /**
   * The port the container serves on; adds readiness and liveness probes.
   * @default - no port and no probes
   */
  readonly port?: number;
  /**
   * An HTTP path for the probes (else they open a TCP connection to `port`).
   * @default - TCP probes
   */
  readonly healthCheckPath?: string;
  /**
   * Environment variables. They win over the runtime settings memguard derives.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /**
   * The user id to run as, from 1 to 2147483647. Pod Security "restricted" requires a non-root user (0 is rejected: with
   * runAsNonRoot the pod would never start); set this for images that start as root.
   * @default - the image's user (which must not be root)
   */
  readonly user?: number;
  /**
   * Paths that get a writable emptyDir, since the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /** Tuning of the derived runtime settings. @default - the reference practice for the runtime */
  readonly runtimeOptions?: RuntimeSettingsOptions;
}

/** Props of `MemoryTunedDeployment`. */
export interface MemoryTunedDeploymentProps {
  /** The containers (at least one). */
  readonly containers: readonly MemoryTunedContainerProps[];
  /**
   * The namespace (a DNS-1123 label).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** @default 1 */
  readonly replicas?: number;
  /**
   * Emit a PodDisruptionBudget allowing one pod down at a time. Only meaningful with more than one replica.
   * @default - true when replicas > 1
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * Labels for the Deployment and its pods.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Switch on the runbook's incident profiling for this workload (tracemalloc, heap snapshots, heap dumps to an
   * emptyDir) with a temporary limit bump. Marked with the `memguard.io/incident-mode` annotation on the Deployment and
   * its pods, so it is not forgotten after the incident.
   * @default - off
   */
  readonly incidentMode?: IncidentModeOptions;
}

/** Options of `alertOnMemoryNearLimit`. */
export interface MemoryNearLimitAlertAddOptions extends MemoryNearLimitAlertOptions {
  /**
   * Where to add the rule (a `MemoryAlerts`, or anything with `addRules`).
   * @default - the rule is only returned
   */
  readonly addTo?: { addRules(groupName: string, rules: AlertRule[]): void };
}

/** A container with its memory sized and its environment derived. */
export interface TunedContainer {
  readonly name: string;
  readonly runtime: Runtime;
  readonly memory: ContainerMemory;
  readonly env: Readonly<Record<string, string>>;
  /** The incident settings, when incident mode is on. */
  readonly incident?: IncidentSettings;
}

/**
 * A cdk8s-plus Deployment whose containers are sized for memory: request and limit from `containerMemory` (request ==
 * limit by default), environment from `runtimeSettings` for the runtime (user env wins), the Pod Security "restricted"
 * security context, probes when a port is given, and a PodDisruptionBudget with more than one replica. It exposes its own
 * signals: `metricMemoryWorkingSet()` and `alertOnMemoryNearLimit()`.
 */
export class MemoryTunedDeployment extends Construct implements MemorySignals {
  public readonly deployment: kplus.Deployment;
  public readonly podDisruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The containers as sized, in order. */
  public readonly containers: readonly TunedContainer[];
  public readonly namespace?: string;
  public readonly signalName: string;

  constructor(scope: Construct, id: string, props: MemoryTunedDeploymentProps) {
    super(scope, id);
    const replicas = checkInteger('replicas', props.replicas ?? 1, 0, 10_000);
    if (props.namespace !== undefined) checkNamespaceName('namespace', props.namespace);
    if (!props.containers || props.containers.length === 0) {
      throw new InputError({ field: 'containers', value: props.containers ?? [], accepted: 'at least one container' });
    }
    this.containers = props.containers.map((c, i) => tuneContainer(c, i, props.incidentMode));
    const names = this.containers.map((c) => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new InputError({ field: 'containers[].name', value: duplicate, accepted: 'unique container names' });
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.signalName = id;

    const incidentAnnotations = this.containers.find((c) => c.incident)?.incident?.annotations;
    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { namespace: this.namespace, labels: { ...props.labels }, annotations: incidentAnnotations && { ...incidentAnnotations } },
      replicas,
      podMetadata: { labels: { ...props.labels }, annotations: incidentAnnotations && { ...incidentAnnotations } },
      securityContext: { ensureNonRoot: true },
      automountServiceAccountToken: false,
    });
    this.containers.forEach((tuned, i) => this.addContainer(props.containers[i], tuned));

    if (props.podDisruptionBudget ?? replicas > 1) {
      this.podDisruptionBudget = new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { namespace: this.namespace },
        spec: {
          maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: this.deployment.matchLabels },
        },
      });
    }
  }

  /** The Deployment's generated name. */
  public get name(): string {
    return this.deployment.name;
  }

  /** PromQL for the working set bytes of this Deployment's containers. */
  public metricMemoryWorkingSet(selectors?: SignalSelectors): string {
    return containerWorkingSet(resolveSelectors(selectors), workloadScope(this.identity()));
  }

  /** PromQL for the working set of this Deployment's containers as a fraction of their limits. */
  public metricMemoryToLimitRatio(selectors?: SignalSelectors): string {
    return workingSetToLimitRatio(resolveSelectors(selectors), workloadScope(this.identity()));
  }

  /**
   * An alert that fires when any of this Deployment's containers stays above `thresholdPercent` of its memory limit.
   * Returns the rule, and adds it to `options.addTo` when given.
   */
  public alertOnMemoryNearLimit(options: MemoryNearLimitAlertAddOptions = {}): AlertRule {
    const rule = workloadMemoryNearLimitRule(this.identity(), options);
    options.addTo?.addRules(`memguard-${this.name}`, [rule]);
    return rule;
  }

  /** The default alert for this workload (`MemorySignals`). */
  public alertRules(): AlertRule[] {
    return [this.alertOnMemoryNearLimit()];
  }

  /** A dashboard row for this workload (`MemorySignals`). */
  public dashboardSection(): PanelSection {
    return workloadDashboardSection(this.identity());
  }

  /** How the signals see this Deployment. */
  public identity(): WorkloadIdentity {
    return { kind: 'Deployment', name: this.name, namespace: this.namespace, signalName: this.signalName };
  }

  private addContainer(props: MemoryTunedContainerProps, tuned: TunedContainer): void {
    const probe = props.port === undefined ? undefined : props.healthCheckPath
      ? kplus.Probe.fromHttpGet(props.healthCheckPath, { port: props.port })
      : kplus.Probe.fromTcpSocket({ port: props.port });
    const container = this.deployment.addContainer({
      name: tuned.name,
      image: props.image,
      command: props.command ? [...props.command] : undefined,
      args: props.args ? [...props.args] : undefined,
      portNumber: props.port,
      envVariables: Object.fromEntries(Object.entries(tuned.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      resources: {
        memory: {
          request: Size.mebibytes(tuned.memory.request.toMebibytes('floor')),
          limit: Size.mebibytes(tuned.memory.limit.toMebibytes('floor')),
        },
        cpu: {
          request: kplus.Cpu.millis((props.cpuRequest ?? Cpu.millis(100)).millis),
          limit: props.cpuLimit ? kplus.Cpu.millis(props.cpuLimit.millis) : undefined,
        },
      },
      readiness: probe,
      liveness: probe,
      securityContext: {
        ensureNonRoot: true,
        user: props.user,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
    });
    (props.writablePaths ?? ['/tmp']).forEach((path, i) => {
      const volume = kplus.Volume.fromEmptyDir(this, `${tuned.name}-writable-${i}`, `${tuned.name}-writable-${i}`);
      container.mount(path, volume);
    });
    if (tuned.incident) {
      // On disk, not in memory: a Memory medium would count against the very limit under study.
      const volume = tuned.incident.volume;
      const name = `${tuned.name}-${volume.name}`;
      container.mount(volume.mountPath, kplus.Volume.fromEmptyDir(this, name, name, { sizeLimit: Size.mebibytes(volume.sizeLimit.toMebibytes('ceil')) }));
    }
  }
}

/** Sizes one container and derives its environment; throws naming `containers[i].<field>` on bad input. */
function tuneContainer(props: MemoryTunedContainerProps, index: number, incidentMode?: IncidentModeOptions): TunedContainer {
  const field = (name: string) => `containers[${index}].${name}`;
  if (!props.image || typeof props.image !== 'string') {
    throw new InputError({ field: field('image'), value: props.image, accepted: 'an image reference such as ghcr.io/org/app:1.2.3' });
  }
  checkPinnedImage(field('image'), props.image);
  // runAsNonRoot rejects user 0 at pod start: the pod would never run.
  if (props.user !== undefined) checkInteger(field('user'), props.user, 1, 2147483647);
  const runtime = checkOneOf(field('runtime'), props.runtime ?? 'generic', RUNTIMES);
  if (props.port !== undefined) checkInteger(field('port'), props.port, 1, 65535);
  if (props.cpuLimit && props.cpuRequest && props.cpuRequest.millis > props.cpuLimit.millis) {
    throw new InputError({ field: field('cpuRequest'), value: props.cpuRequest.toString(), reason: `it is above cpuLimit ${props.cpuLimit}`, accepted: 'at most cpuLimit' });
  }
  const exact = containerMemory({
    limit: props.memoryLimit ?? (props.memoryRequest ? undefined : Memory.mebibytes(512)),
    request: props.memoryRequest,
    headroomPercent: props.memoryHeadroomPercent,
    fieldNames: { limit: field('memoryLimit'), request: field('memoryRequest'), headroomPercent: field('memoryHeadroomPercent') },
  });
  // cdk8s sizes are whole MiB: the limit rounds down (never above what was asked), the request never above the limit.
  const mebibyte = Memory.mebibytes(1);
  const limit = exact.limit.floorTo(mebibyte);
  const request = Memory.min(exact.request.ceilTo(mebibyte), limit);
  const derived = runtimeSettings(runtime, limit, props.runtimeOptions);
  const env = { ...derived.env, ...props.env };
  const name = props.name ?? (index === 0 ? 'main' : `container-${index}`);
  if (!incidentMode) return { name, runtime, memory: { limit, request, guaranteed: request.equals(limit) }, env };
  // The heap settings stay those of the original limit: the bump is headroom for the profiler, not a bigger heap.
  const incident = incidentSettings(runtime, limit, incidentMode);
  const bumpedRequest = request.equals(limit) ? incident.limit : request;
  return {
    name,
    runtime,
    memory: { limit: incident.limit, request: bumpedRequest, guaranteed: bumpedRequest.equals(incident.limit) },
    env: mergeIncidentEnv(env, incident.env),
    incident,
  };
}
