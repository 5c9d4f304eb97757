import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkPinnedImage, hardenedContainer, hardenedPodTemplate, quantity, workloadLabels, workloadService } from './workload-parts';
import { checkInteger, InputError } from '../sizing/errors';
import {
  PgbouncerInput, PgbouncerIniOptions, pgbouncerSettings, PgbouncerSettings, toPgbouncerIni,
} from '../sizing/pgbouncer';
import { Cpu, Memory } from '../sizing/quantity';

/**
 * The PgBouncer image used by default, pinned. edoburu/pgbouncer is a small Alpine build whose image runs as the
 * unprivileged `postgres` user (uid 70) and whose entrypoint only generates a config when none is mounted; memguard
 * bypasses that entrypoint entirely and runs `/usr/bin/pgbouncer <our ini>`, so the root filesystem can stay read-only.
 */
export const DEFAULT_PGBOUNCER_IMAGE = 'edoburu/pgbouncer:v1.23.1-p2';
/** The uid of the `postgres` user in the Alpine-based PgBouncer image. */
export const PGBOUNCER_IMAGE_UID = 70;
/** Where the ConfigMap (pgbouncer.ini) is mounted. */
export const PGBOUNCER_CONFIG_DIR = '/etc/pgbouncer';
/** Where the auth Secret (userlist.txt) is mounted. */
export const PGBOUNCER_AUTH_DIR = '/etc/pgbouncer-auth';

/** The Secret that holds PgBouncer's `auth_file`. Its value never appears in a manifest. */
export interface PgbouncerAuthSecret {
  /** An existing Secret in the same namespace. */
  readonly secretName: string;
  /**
   * The key holding the userlist (`"odoo" "SCRAM-SHA-256$4096:..."` lines).
   * @default 'userlist.txt'
   */
  readonly key?: string;
}

/** Props of {@link PgBouncerConfig}: the sizing inputs, the network and the workload. */
export interface PgBouncerConfigProps extends PgbouncerInput, Omit<PgbouncerIniOptions, 'databases' | 'authFile' | 'listenAddress' | 'unixSocketDir'> {
  /**
   * The Odoo databases. Each gets a transaction pool; the `postgres` database always gets the session pool.
   * @default ['odoo']
   */
  readonly databases?: readonly string[];
  /** The Secret holding the `auth_file` (mounted read-only; PgBouncer reads it, nothing else sees it). */
  readonly authSecret: PgbouncerAuthSecret;
  /**
   * The image, pinned to a tag or digest; it must have `/usr/bin/pgbouncer` and run as a non-root user.
   * @default DEFAULT_PGBOUNCER_IMAGE
   */
  readonly image?: string;
  /**
   * The container's memory request and limit (equal). PgBouncer needs about 2 kB per client plus its buffers.
   * @default Memory.mebibytes(64)
   */
  readonly memory?: Memory;
  /**
   * CPU request (PgBouncer is single-threaded; no CPU limit, whose throttling would add latency to every query).
   * @default Cpu.millis(100)
   */
  readonly cpu?: Cpu;
  /**
   * Pods. Each opens up to `serverConnections` server connections, so the sizing is checked for all of them.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The uid (and gid) the pod runs as.
   * @default PGBOUNCER_IMAGE_UID (70, the image's postgres user)
   */
  readonly runAsUser?: number;
  /**
   * The namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * PgBouncer in front of PostgreSQL for Odoo: a ConfigMap with the computed `pgbouncer.ini`, a Deployment that runs it
 * read-only and non-root with the auth file from a Secret, and a Service on `listenPort`.
 */
export class PgBouncerConfig extends Construct {
  /** The computed pool settings. */
  public readonly settings: PgbouncerSettings;
  /** The `pgbouncer.ini` text, exactly as the ConfigMap holds it. */
  public readonly pgbouncerIni: string;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly deployment: k8s.KubeDeployment;
  public readonly service: k8s.KubeService;
  /** Odoo's `db_host`. */
  public readonly serviceName: string;
  /** Odoo's `db_port`. */
  public readonly port: number;
  /** The container memory request and limit. */
  public readonly memory: Memory;

  constructor(scope: Construct, id: string, props: PgBouncerConfigProps) {
    super(scope, id);
    const replicas = checkInteger('replicas', props.replicas ?? 1, 1, 100);
    const uid = checkInteger('runAsUser', props.runAsUser ?? PGBOUNCER_IMAGE_UID, 1, 2 ** 31 - 1);
    const image = props.image ?? DEFAULT_PGBOUNCER_IMAGE;
    checkPinnedImage('image', image);
    if (!props.authSecret?.secretName) {
      throw new InputError({ field: 'authSecret.secretName', value: props.authSecret?.secretName, accepted: 'the name of an existing Secret' });
    }
    const memory = props.memory ?? Memory.mebibytes(64);
    if (memory.isLessThan(Memory.mebibytes(16))) {
      throw new InputError({ field: 'memory', value: memory.toString(), accepted: 'at least 16Mi' });
    }
    const databases = props.databases ?? ['odoo'];
    // Every pod has its own pools: split PostgreSQL's share between them by sizing for max_connections / replicas.
    const settings = pgbouncerSettings({ ...props, odooDatabases: databases.length });
    if (replicas > 1 && settings.serverConnections * replicas > settings.availableServerConnections) {
      throw new InputError({
        field: 'replicas',
        value: replicas,
        reason: `${replicas} pods x ${settings.serverConnections} server connections exceed the ${settings.availableServerConnections} PostgreSQL leaves`,
        accepted: `1, or a maxConnections of at least ${settings.serverConnections * replicas + (settings.maxConnections - settings.availableServerConnections)}`,
      });
    }
    const port = checkInteger('listenPort', props.listenPort ?? 6432, 1, 65535);
    const authKey = props.authSecret.key ?? 'userlist.txt';
    this.settings = settings;
    this.memory = memory;
    this.port = port;
    this.pgbouncerIni = toPgbouncerIni(settings, {
      ...props,
      databases,
      listenAddress: '0.0.0.0',
      listenPort: port,
      authFile: `${PGBOUNCER_AUTH_DIR}/${authKey}`,
      unixSocketDir: '',
    });

    const namespace = props.namespace;
    const { selector, labels } = workloadLabels(this, 'pgbouncer');
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { namespace, labels },
      data: { 'pgbouncer.ini': this.pgbouncerIni },
    });
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        template: hardenedPodTemplate(labels, uid, {
          containers: [{
            name: 'pgbouncer',
            image,
            imagePullPolicy: 'IfNotPresent',
            command: ['/usr/bin/pgbouncer', `${PGBOUNCER_CONFIG_DIR}/pgbouncer.ini`],
            ports: [{ name: 'pgbouncer', containerPort: port, protocol: 'TCP' }],
            resources: {
              requests: { memory: quantity(memory), cpu: quantity(props.cpu ?? Cpu.millis(100)) },
              limits: { memory: quantity(memory) },
            },
            securityContext: hardenedContainer(uid),
            readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('pgbouncer') }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('pgbouncer') }, initialDelaySeconds: 10, periodSeconds: 20 },
            volumeMounts: [
              { name: 'config', mountPath: PGBOUNCER_CONFIG_DIR, readOnly: true },
              { name: 'auth', mountPath: PGBOUNCER_AUTH_DIR, readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: this.configMap.name } },
            { name: 'auth', secret: { secretName: props.authSecret.secretName, items: [{ key: authKey, path: authKey }] } },
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
          ],
        }),
      },
    });
    this.service = workloadService(this, { namespace, selector, labels, ports: [{ name: 'pgbouncer', port }] });
    this.serviceName = this.service.name;
  }
}
