import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RuleSelector } from './memory-alerts';
import { checkPinnedImage, hardenedContainer, hardenedPodTemplate, quantity, workloadLabels, workloadService } from './workload-parts';
import { redisAlertRules, redisDashboardSection, RedisSignalOptions } from '../observability/redis';
import type { AlertRule, MemorySignals, PanelSection } from '../observability/types';
import { InputError } from '../sizing/errors';
import { Cpu, Memory } from '../sizing/quantity';
import { REDIS_DATA_DIR, REDIS_PORT, redisSettings, RedisSettings, toRedisConf } from '../sizing/redis';

/** The redis image used by default: a pinned patch tag of the last BSD-licensed line (7.2). */
export const DEFAULT_REDIS_IMAGE = 'redis:7.2.7-alpine';
/** The redis_exporter image used by default (pinned). */
export const DEFAULT_REDIS_EXPORTER_IMAGE = 'oliver006/redis_exporter:v1.62.0';
/** The port redis_exporter serves `/metrics` on. */
export const REDIS_EXPORTER_PORT = 9121;

/** Where the password comes from: a key of an existing Secret. The value never appears in any manifest. */
export interface RedisPasswordSecret {
  /** The Secret's name (in the cache's namespace). */
  readonly secretName: string;
  /**
   * The key holding the password.
   * @default 'password'
   */
  readonly key?: string;
}

/** The redis_exporter sidecar. */
export interface RedisExporterOptions {
  /**
   * The exporter image, pinned.
   * @default DEFAULT_REDIS_EXPORTER_IMAGE
   */
  readonly image?: string;
  /**
   * The exporter's memory request and limit (equal).
   * @default Memory.mebibytes(64)
   */
  readonly memory?: Memory;
  /**
   * The exporter's CPU request.
   * @default Cpu.millis(20)
   */
  readonly cpu?: Cpu;
}

/**
 * The prometheus-operator ServiceMonitor that makes Prometheus scrape the exporter through the cache's Service.
 *
 * The alert rules select the exporter's series by `namespace` and `service`: prometheus-operator adds both labels (and
 * `job` = the Service's name, `pod`, `instance`, `endpoint`) to every series scraped through a ServiceMonitor.
 */
export interface RedisServiceMonitorOptions {
  /**
   * The labels your Prometheus's `serviceMonitorSelector` matches. kube-prometheus-stack selects ServiceMonitors
   * labelled `release: <helm release name>` (`serviceMonitorSelectorNilUsesHelmValues: true`, the chart default), the
   * same label it selects PrometheusRules by: the default is `MemoryAlerts`' default rule selector, so the rules and the
   * series they read are picked up by the same Prometheus.
   * @default RuleSelector.kubePrometheusStack().labels, i.e. `{ release: 'kube-prometheus-stack' }`
   * @see https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How often Prometheus scrapes the exporter (a Prometheus duration such as `30s`).
   * @default - the Prometheus's scrapeInterval (30s in kube-prometheus-stack)
   */
  readonly interval?: string;
}

/** Props of {@link RedisCache}. */
export interface RedisCacheProps {
  /**
   * The redis container's memory limit; the request is always equal to it.
   * @default - derived from `maxmemory` (maxmemory / maxmemoryPercent, rounded up to whole MiB)
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly limit?: Memory;
  /**
   * redis's `maxmemory`. Give it instead of `limit` to size the container around a dataset.
   * @default - maxmemoryPercent of the limit
   */
  readonly maxmemory?: Memory;
  /**
   * `maxmemory` as a percentage of the limit (10 to 80; above 75 only because this cache never persists).
   * @default 75
   */
  readonly maxmemoryPercent?: number;
  /**
   * The eviction policy (`noeviction` is rejected; `volatile-*` policies are accepted with a warning).
   * @default 'allkeys-lru'
   * @see https://redis.io/docs/latest/develop/reference/eviction/
   */
  readonly maxmemoryPolicy?: string;
  /**
   * Keep `FLUSHALL` enabled (for a remediation that empties the cache).
   * @default false
   */
  readonly allowFlushAll?: boolean;
  /**
   * Keep `FLUSHDB` enabled.
   * @default false
   */
  readonly allowFlushDb?: boolean;
  /**
   * The redis image, pinned to a patch tag or a digest.
   * @default DEFAULT_REDIS_IMAGE
   */
  readonly image?: string;
  /**
   * The redis container's CPU request. No CPU limit is set unless `cpuLimit` is given: redis is single-threaded and
   * CFS throttling shows up as latency spikes (kube-score: `--ignore-container-cpu-limit`).
   * @default Cpu.millis(100)
   */
  readonly cpu?: Cpu;
  /**
   * The redis container's CPU limit.
   * @default - none
   */
  readonly cpuLimit?: Cpu;
  /**
   * Require a password, read from a Secret key into the `REDIS_PASSWORD` env var and passed as `--requirepass`.
   * @default - no password (protect the Service with a NetworkPolicy)
   */
  readonly password?: RedisPasswordSecret;
  /**
   * The redis_exporter sidecar, which the alert rules and panels read; `false` to omit it (and the signals go blind).
   * @default - enabled with the defaults of RedisExporterOptions
   */
  readonly exporter?: RedisExporterOptions | false;
  /**
   * The ServiceMonitor (monitoring.coreos.com/v1) that has Prometheus scrape the exporter on the Service's `metrics`
   * port; `false` to omit it when something else scrapes the exporter (then give `signals.selector` matching the labels
   * that scrape adds, since the rules select `service="<this cache's Service>"`). Ignored when `exporter` is `false`.
   * Needs the prometheus-operator CRDs (kube-prometheus-stack installs them).
   * @default - emitted, labelled `release: kube-prometheus-stack`
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
   */
  readonly serviceMonitor?: RedisServiceMonitorOptions | false;
  /**
   * The user and group id the pod runs as (above 10000 for kube-score; redis runs under any uid with a writable dir).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Alert thresholds and extra selectors for the signals.
   * @default - the defaults of RedisSignalOptions, scoped to this cache's namespace and Service
   */
  readonly signals?: Omit<RedisSignalOptions, 'namespace' | 'service'>;
  /**
   * The namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * A redis LRU cache sized from its memory limit: a Deployment (one replica: independent replicas behind one Service
 * would each hold a different cache), a Service and a ConfigMap holding `redis.conf`, plus an optional redis_exporter
 * sidecar. It exposes its own alert rules and dashboard panels.
 */
export class RedisCache extends Construct implements MemorySignals {
  /** The validated sizing. */
  public readonly settings: RedisSettings;
  /** The `redis.conf` text, exactly as the ConfigMap holds it. */
  public readonly redisConf: string;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  /** The ServiceMonitor that scrapes the exporter (absent without exporter or with `serviceMonitor: false`). */
  public readonly serviceMonitor?: ApiObject;
  /** The Service's name: clients connect to `<serviceName>:6379`. */
  public readonly serviceName: string;
  public readonly signalName: string;
  private readonly signalOptions: RedisSignalOptions;
  private readonly hasExporter: boolean;

  constructor(scope: Construct, id: string, props: RedisCacheProps = {}) {
    super(scope, id);
    const settings = redisSettings(props);
    const image = props.image ?? DEFAULT_REDIS_IMAGE;
    checkPinnedImage('image', image, DEFAULT_REDIS_IMAGE);
    const exporter = props.exporter === false ? undefined : props.exporter ?? {};
    const exporterImage = exporter ? exporter.image ?? DEFAULT_REDIS_EXPORTER_IMAGE : undefined;
    if (exporterImage) checkPinnedImage('exporter.image', exporterImage, DEFAULT_REDIS_EXPORTER_IMAGE);
    const exporterMemory = exporter?.memory ?? Memory.mebibytes(64);
    const uid = props.runAsUser ?? 10001;
    if (!Number.isInteger(uid) || uid < 1 || uid > 2 ** 31 - 1) {
      throw new InputError({ field: 'runAsUser', value: uid, accepted: 'a whole number from 1 to 2147483647 (not root)' });
    }
    const serviceMonitor = exporter && props.serviceMonitor !== false ? props.serviceMonitor ?? {} : undefined;
    if (serviceMonitor?.interval !== undefined && !/^(\d+(ms|s|m|h))+$/.test(serviceMonitor.interval)) {
      throw new InputError({ field: 'serviceMonitor.interval', value: serviceMonitor.interval, accepted: 'a Prometheus duration such as 15s, 30s or 1m' });
    }
    if (props.password && !props.password.secretName) {
      throw new InputError({ field: 'password.secretName', value: props.password.secretName, accepted: 'the name of an existing Secret' });
    }

    this.settings = settings;
    this.redisConf = toRedisConf(settings);
    this.hasExporter = exporter !== undefined;
    const namespace = props.namespace;
    const { selector, labels } = workloadLabels(this, 'redis');

    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { namespace, labels },
      data: { 'redis.conf': this.redisConf },
    });

    const passwordEnv: k8s.EnvVar[] = props.password ? [{
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: props.password.secretName, key: props.password.key ?? 'password' } },
    }] : [];
    const hardened = hardenedContainer(uid);
    const redisResources: k8s.ResourceRequirements = {
      requests: { memory: quantity(settings.request), cpu: quantity(props.cpu ?? Cpu.millis(100)) },
      limits: { memory: quantity(settings.limit), ...(props.cpuLimit ? { cpu: quantity(props.cpuLimit) } : {}) },
    };
    const redis: k8s.Container = {
      name: 'redis',
      image,
      imagePullPolicy: 'IfNotPresent',
      // Kubernetes expands $(REDIS_PASSWORD) from the env var: the password is in no manifest.
      workingDir: REDIS_DATA_DIR,
      command: ['redis-server', '/etc/redis/redis.conf', ...(props.password ? ['--requirepass', '$(REDIS_PASSWORD)'] : [])],
      // redis-cli reads REDISCLI_AUTH, so the readiness probe authenticates without the password on its command line.
      env: props.password ? [...passwordEnv, { name: 'REDISCLI_AUTH', value: '$(REDIS_PASSWORD)' }] : undefined,
      ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
      resources: redisResources,
      securityContext: hardened,
      readinessProbe: { exec: { command: ['redis-cli', '-p', String(REDIS_PORT), 'ping'] }, periodSeconds: 10, timeoutSeconds: 2 },
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, initialDelaySeconds: 10, periodSeconds: 10 },
      volumeMounts: [
        { name: 'config', mountPath: '/etc/redis', readOnly: true },
        { name: 'data', mountPath: REDIS_DATA_DIR },
      ],
    };
    const containers: k8s.Container[] = [redis];
    if (exporter) {
      const exporterCpu = exporter.cpu ?? Cpu.millis(20);
      containers.push({
        name: 'exporter',
        image: exporterImage!,
        imagePullPolicy: 'IfNotPresent',
        env: [{ name: 'REDIS_ADDR', value: `redis://127.0.0.1:${REDIS_PORT}` }, ...passwordEnv],
        ports: [{ name: 'metrics', containerPort: REDIS_EXPORTER_PORT, protocol: 'TCP' }],
        resources: {
          requests: { memory: quantity(exporterMemory), cpu: quantity(exporterCpu) },
          limits: { memory: quantity(exporterMemory) },
        },
        securityContext: hardened,
        readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 20 },
      });
    }

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        // One pod at a time: two caches side by side would each take a full memory limit on the node.
        strategy: { type: 'Recreate' },
        template: hardenedPodTemplate(labels, uid, {
          containers,
          volumes: [
            { name: 'config', configMap: { name: this.configMap.name } },
            // Nothing is written here while persistence is off; the size limit guards against a `CONFIG SET save`.
            { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
          ],
        }),
      },
    });

    this.service = workloadService(this, {
      namespace,
      selector,
      labels,
      ports: [{ name: 'redis', port: REDIS_PORT }, ...(exporter ? [{ name: 'metrics', port: REDIS_EXPORTER_PORT }] : [])],
    });
    this.serviceName = this.service.name;
    if (serviceMonitor) {
      this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { namespace, labels: { ...labels, ...(serviceMonitor.labels ?? RuleSelector.kubePrometheusStack().labels) } },
        spec: {
          // The Service carries `labels`, a superset of `selector`; the ServiceMonitor's own namespace is searched.
          selector: { matchLabels: { ...selector } },
          endpoints: [{
            port: 'metrics',
            path: '/metrics',
            scheme: 'http',
            ...(serviceMonitor.interval ? { interval: serviceMonitor.interval } : {}),
          }],
        },
      });
    }
    this.signalName = `redis ${this.serviceName}`;
    this.signalOptions = { ...props.signals, namespace: namespace ?? Chart.of(this).namespace, service: this.serviceName };
  }

  /** Alert rules over the exporter: used/maxmemory above 0.9, evictions high, redis down, exporter down. */
  public alertRules(): AlertRule[] {
    return this.hasExporter ? redisAlertRules(this.signalOptions) : [];
  }

  /** Dashboard panels over the same expressions as the alerts. */
  public dashboardSection(): PanelSection {
    return this.hasExporter ? redisDashboardSection(this.signalName, this.signalOptions) : { title: this.signalName, panels: [] };
  }
}
