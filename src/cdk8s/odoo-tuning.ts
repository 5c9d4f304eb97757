import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkPinnedImage, hardenedContainer, hardenedPodTemplate, quantity, workloadLabels, workloadService } from './workload-parts';
import { checkInteger, checkOneOf, InputError } from '../sizing/errors';
import { OdooConfOptions, OdooInput, odooSettings, OdooSettings, toOdooConf } from '../sizing/odoo';
import { Cpu, Memory } from '../sizing/quantity';

/**
 * The Odoo image used by default: the official image's 17.0 series tag. It is rebuilt with each nightly; pin a digest
 * (`odoo:17.0@sha256:...`) for reproducible rollouts.
 */
export const DEFAULT_ODOO_IMAGE = 'odoo:17.0';
/** The uid of the `odoo` user in the official image. */
export const ODOO_IMAGE_UID = 101;
/** The image's data directory (filestore, sessions). */
export const ODOO_DATA_DIR = '/var/lib/odoo';
/** Odoo's HTTP port. */
export const ODOO_HTTP_PORT = 8069;
/** Odoo's gevent (websocket) port. */
export const ODOO_GEVENT_PORT = 8072;

/** The warning {@link OdooTuning.warnings} holds when the workload has no `dataClaimName`. */
export const ODOO_EPHEMERAL_FILESTORE_WARNING = `workload.dataClaimName is not set: ${ODOO_DATA_DIR} (the filestore: attachments,`
  + ' images, documents) is an emptyDir and is lost on every pod restart, eviction or rollout; give a ReadWriteMany PVC for production.';

/** The owned Deployment. */
export interface OdooWorkloadOptions {
  /**
   * The Secret key with the database password; the image passes its `PASSWORD` variable as `--db_password`, so the
   * password is in neither odoo.conf nor any manifest.
   */
  readonly passwordSecret: { readonly secretName: string; readonly key?: string };
  /**
   * The image, pinned.
   * @default DEFAULT_ODOO_IMAGE
   */
  readonly image?: string;
  /**
   * An existing ReadWriteMany PVC for `/var/lib/odoo` (filestore and sessions), shared by the replicas.
   *
   * WARNING: without it, `/var/lib/odoo` is an emptyDir, and the filestore (every attachment, image and document
   * Odoo stores outside the database) is LOST each time the pod is deleted, rescheduled, evicted or rolled out, while
   * the database still references the files. Only for trials; `OdooTuning.warnings` says so.
   * @default - an emptyDir: the filestore is lost on every pod restart
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   */
  readonly dataClaimName?: string;
  /**
   * CPU request. No CPU limit: `limit_time_cpu` already bounds a request's CPU time.
   * @default - `cpus`
   */
  readonly cpu?: Cpu;
  /**
   * The uid/gid the pod runs as.
   * @default ODOO_IMAGE_UID (101)
   */
  readonly runAsUser?: number;
  /**
   * How a new version rolls out. `RollingUpdate` starts a surge pod first (no downtime, but the namespace quota must
   * hold one more Odoo pod); `Recreate` stops the old pods first (a short outage, no extra memory).
   * @default 'RollingUpdate'
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
   */
  readonly strategy?: 'RollingUpdate' | 'Recreate';
}

/** Props of {@link OdooTuning}. */
export interface OdooTuningProps extends Omit<OdooInput, 'ram'> {
  /** Odoo's container memory limit (= request), per pod. */
  readonly limit: Memory;
  /**
   * Where Odoo connects and other odoo.conf options (never a password).
   * @default - { dataDir: '/var/lib/odoo', proxyMode: true, listDb: false }
   */
  readonly conf?: OdooConfOptions;
  /**
   * Also emit a Deployment (`replicas` pods) and a Service running Odoo with this odoo.conf.
   * @default - ConfigMap only
   */
  readonly workload?: OdooWorkloadOptions;
  /**
   * The namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * Odoo's prefork server sized for its container limit: a ConfigMap with `odoo.conf`, and optionally the Deployment
 * (request == limit, read-only root filesystem, readiness on /web/health) and its Service.
 */
export class OdooTuning extends Construct {
  public readonly settings: OdooSettings;
  /** `(workers + cron + 1) x db_maxconn x replicas`: the client connections PgBouncer must accept. */
  public readonly worstCaseConnections: number;
  /** The `odoo.conf` text, exactly as the ConfigMap holds it. */
  public readonly odooConf: string;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly limit: Memory;
  public readonly deployment?: k8s.KubeDeployment;
  public readonly service?: k8s.KubeService;
  public readonly serviceName?: string;
  /** What to check before production: the sizing's warnings, plus a warning when the filestore is on an emptyDir. */
  public readonly warnings: readonly string[];

  constructor(scope: Construct, id: string, props: OdooTuningProps) {
    super(scope, id);
    if (!(props.limit instanceof Memory)) {
      throw new InputError({ field: 'limit', value: props.limit, accepted: 'a Memory such as Memory.parse("4Gi")' });
    }
    const workload = props.workload;
    const uid = checkInteger('workload.runAsUser', workload?.runAsUser ?? ODOO_IMAGE_UID, 1, 2 ** 31 - 1);
    const image = workload?.image ?? DEFAULT_ODOO_IMAGE;
    const strategy = checkOneOf('workload.strategy', workload?.strategy ?? 'RollingUpdate', ['RollingUpdate', 'Recreate'] as const);
    if (workload) {
      checkPinnedImage('workload.image', image);
      if (!workload.passwordSecret?.secretName) {
        throw new InputError({
          field: 'workload.passwordSecret.secretName', value: workload.passwordSecret?.secretName, accepted: 'the name of an existing Secret',
        });
      }
    }
    const settings = odooSettings({ ...props, ram: props.limit });
    this.settings = settings;
    this.limit = props.limit;
    this.worstCaseConnections = settings.worstCaseConnections;
    this.odooConf = toOdooConf(settings, { dataDir: ODOO_DATA_DIR, ...props.conf });
    this.warnings = [
      ...settings.warnings,
      ...(workload && !workload.dataClaimName ? [ODOO_EPHEMERAL_FILESTORE_WARNING] : []),
    ];

    const namespace = props.namespace;
    const { selector, labels } = workloadLabels(this, 'odoo');
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { namespace, labels },
      data: { 'odoo.conf': this.odooConf },
    });
    if (!workload) return;

    const geventPort = props.conf?.geventPort ?? ODOO_GEVENT_PORT;
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { namespace, labels },
      spec: {
        replicas: settings.replicas,
        strategy: { type: strategy },
        selector: { matchLabels: selector },
        template: hardenedPodTemplate(labels, uid, {
          containers: [{
            name: 'odoo',
            image,
            imagePullPolicy: 'IfNotPresent',
            env: [
              { name: 'ODOO_RC', value: '/etc/odoo/odoo.conf' },
              {
                name: 'PASSWORD',
                valueFrom: { secretKeyRef: { name: workload.passwordSecret.secretName, key: workload.passwordSecret.key ?? 'password' } },
              },
            ],
            ports: [
              { name: 'http', containerPort: ODOO_HTTP_PORT, protocol: 'TCP' },
              { name: 'gevent', containerPort: geventPort, protocol: 'TCP' },
            ],
            resources: {
              requests: { memory: quantity(props.limit), cpu: quantity(workload.cpu ?? Cpu.cores(props.cpus)) },
              limits: { memory: quantity(props.limit) },
            },
            securityContext: hardenedContainer(uid),
            readinessProbe: { httpGet: { path: '/web/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: {
              httpGet: { path: '/web/health', port: k8s.IntOrString.fromString('http') }, initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 5,
            },
            volumeMounts: [
              { name: 'config', mountPath: '/etc/odoo', readOnly: true },
              { name: 'data', mountPath: ODOO_DATA_DIR },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: this.configMap.name } },
            workload.dataClaimName
              ? { name: 'data', persistentVolumeClaim: { claimName: workload.dataClaimName } }
              : { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('512Mi') } },
          ],
        }),
      },
    });
    this.service = workloadService(this, {
      namespace, selector, labels, ports: [{ name: 'http', port: ODOO_HTTP_PORT }, { name: 'gevent', port: geventPort }],
    });
    this.serviceName = this.service.name;
  }
}
