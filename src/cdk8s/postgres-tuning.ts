import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkPinnedImage, hardenedContainer, hardenedPodTemplate, quantity, workloadLabels, workloadService } from './workload-parts';
import { checkInteger, InputError } from '../sizing/errors';
import { PostgresInput, postgresSettings, PostgresSettings, toPostgresqlConf } from '../sizing/postgres';
import { Cpu, Memory } from '../sizing/quantity';

/** Pinned official `postgres` images per major version (Debian bookworm based, uid 999). */
export const DEFAULT_POSTGRES_IMAGES: Readonly<Record<number, string>> = {
  13: 'postgres:13.16', 14: 'postgres:14.13', 15: 'postgres:15.8', 16: 'postgres:16.4', 17: 'postgres:17.0', 18: 'postgres:18.0',
};
/** The uid of the `postgres` user in the official Debian-based image. */
export const POSTGRES_IMAGE_UID = 999;
/** Where the ConfigMap is mounted; the server runs with `-c config_file=<dir>/postgresql.conf`. */
export const POSTGRES_CONFIG_DIR = '/etc/postgresql/memguard';
/** The init script, shipped in the package at `assets/postgres-init-role.sh` (next to `lib/` and `src/`). */
export const POSTGRES_INIT_ROLE_SCRIPT_PATH = path.join(__dirname, '..', '..', 'assets', 'postgres-init-role.sh');
/** Where the official image looks for init scripts (run once, on first init, as the postgres user). */
export const POSTGRES_INITDB_DIR = '/docker-entrypoint-initdb.d';
/** The init script's file name in {@link POSTGRES_INITDB_DIR}. */
export const POSTGRES_INIT_ROLE_SCRIPT_NAME = '10-memguard-application-role.sh';

/** The init script's text, read at synth time so the ConfigMap always holds the file in the package. */
export function postgresInitRoleScript(): string {
  return fs.readFileSync(POSTGRES_INIT_ROLE_SCRIPT_PATH, 'utf8');
}

/** The data directory: a subdirectory of the volume, so that `lost+found` on the volume's root does not upset initdb. */
export const POSTGRES_PGDATA = '/var/lib/postgresql/data/pgdata';

/** The Secret key holding the superuser password (`POSTGRES_PASSWORD`, used once by initdb). */
export interface PostgresPasswordSecret {
  readonly secretName: string;
  /** @default 'password' */
  readonly key?: string;
}

/** The login role and database the application connects with, created on the first start. */
export interface PostgresApplicationRole {
  /** The role (user) name, e.g. Odoo's `db_user`. Not the superuser. */
  readonly name: string;
  /** The database to create, owned by the role (e.g. the one PgBouncer's pool serves). */
  readonly database: string;
  /** The Secret key with the role's password, fed to the init script as an environment variable (never in the manifest). */
  readonly passwordSecret: { readonly secretName: string; readonly key?: string };
  /**
   * Grant CREATEDB (Odoo's database manager needs it; a single fixed database does not).
   * @default false
   */
  readonly createDb?: boolean;
}

/** The owned StatefulSet. */
export interface PostgresWorkloadOptions {
  /** The superuser password Secret (the official image refuses to initialise without one). */
  readonly passwordSecret: PostgresPasswordSecret;
  /**
   * The image, pinned.
   * @default - DEFAULT_POSTGRES_IMAGES[pgVersion]
   */
  readonly image?: string;
  /**
   * The size of each pod's data volume (PVC template).
   * @default Memory.gibibytes(10)
   */
  readonly storage?: Memory;
  /**
   * The PVC's storage class.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * CPU request. No CPU limit: throttling a database stalls every client.
   * @default - `cpus`
   */
  readonly cpu?: Cpu;
  /**
   * The uid/gid the pod runs as; the volume is group-owned by it (fsGroup).
   * @default POSTGRES_IMAGE_UID (999)
   */
  readonly runAsUser?: number;
  /**
   * Create this login role and its database on the first start. A ConfigMap holds `assets/postgres-init-role.sh`,
   * mounted executable at `/docker-entrypoint-initdb.d/`: the official image runs it once, when the data directory is
   * empty, as the postgres user. It runs `psql -v ON_ERROR_STOP=1`, takes the password from an environment variable fed
   * by `secretKeyRef`, quotes names and password through psql variables, and is idempotent. Later changes (a new
   * password, another name) are NOT applied to an existing data directory: change the role with SQL.
   * @default - none: create the role yourself (the image creates only the superuser and its database)
   * @see https://github.com/docker-library/docs/blob/master/postgres/README.md#initialization-scripts
   */
  readonly applicationRole?: PostgresApplicationRole;
}

/** Props of {@link PostgresTuning}. */
export interface PostgresTuningProps extends Omit<PostgresInput, 'ram' | 'profile'> {
  /**
   * The PostgreSQL container's memory limit (= request): profile `container` makes the worst case fit it.
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   */
  readonly limit: Memory;
  /**
   * Also emit a StatefulSet + Service that run PostgreSQL with this configuration (`true` is not enough: the
   * password Secret is required).
   * @default - ConfigMap only: mount it yourself and pass `-c config_file=`
   */
  readonly workload?: PostgresWorkloadOptions;
  /**
   * The namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * PostgreSQL configuration sized for a container memory limit (profile `container` of `postgresSettings`): a ConfigMap
 * with `postgresql.conf`, and optionally the StatefulSet that runs it (non-root, read-only root filesystem, /dev/shm as
 * a memory-backed emptyDir sized from the budget, resources = the limit) and its Service.
 */
export class PostgresTuning extends Construct {
  /** The computed settings (profile `container`). */
  public readonly settings: PostgresSettings;
  /** `max_connections`, for PgBouncer. */
  public readonly maxConnections: number;
  /** The ConfigMap's `postgresql.conf`: the sizing plus `listen_addresses = '*'`. */
  public readonly postgresqlConf: string;
  public readonly configMap: k8s.KubeConfigMap;
  /** The memory limit (= request). */
  public readonly limit: Memory;
  /** The /dev/shm emptyDir size (from the budget). */
  public readonly devShm: Memory;
  public readonly statefulSet?: k8s.KubeStatefulSet;
  /** The ConfigMap with the init script, when `workload.applicationRole` is given. */
  public readonly initScripts?: k8s.KubeConfigMap;
  public readonly service?: k8s.KubeService;
  /** The Service name (PgBouncer's `upstreamHost`), when the workload is owned. */
  public readonly serviceName?: string;
  /** The PostgreSQL port. */
  public readonly port = 5432;

  constructor(scope: Construct, id: string, props: PostgresTuningProps) {
    super(scope, id);
    if (!(props.limit instanceof Memory)) {
      throw new InputError({ field: 'limit', value: props.limit, accepted: 'a Memory such as Memory.parse("4Gi")' });
    }
    const workload = props.workload;
    const uid = checkInteger('workload.runAsUser', workload?.runAsUser ?? POSTGRES_IMAGE_UID, 1, 2 ** 31 - 1);
    if (workload && !workload.passwordSecret?.secretName) {
      throw new InputError({
        field: 'workload.passwordSecret.secretName', value: workload.passwordSecret?.secretName, accepted: 'the name of an existing Secret',
      });
    }
    const role = workload?.applicationRole;
    if (role) checkApplicationRole(role);
    const settings = postgresSettings({ ...props, ram: props.limit, profile: 'container' });
    const version = props.pgVersion ?? 16;
    const image = workload?.image ?? DEFAULT_POSTGRES_IMAGES[version];
    if (workload) checkPinnedImage('workload.image', image);
    this.settings = settings;
    this.maxConnections = settings.maxConnections;
    this.limit = props.limit;
    this.devShm = settings.budget?.devShm ?? Memory.mebibytes(64);
    this.postgresqlConf = `${toPostgresqlConf(settings)}\n# Kubernetes: accept connections on the pod IP (the image's own postgresql.conf is not read).\nlisten_addresses = '*'\n`;

    const namespace = props.namespace;
    const { selector, labels } = workloadLabels(this, 'postgresql');
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { namespace, labels },
      data: { 'postgresql.conf': this.postgresqlConf },
    });
    if (!workload) return;

    const hugePages = props.hugePages;
    if (role) {
      this.initScripts = new k8s.KubeConfigMap(this, 'InitScripts', {
        metadata: { namespace, labels },
        data: { [POSTGRES_INIT_ROLE_SCRIPT_NAME]: postgresInitRoleScript() },
      });
    }
    const roleEnv = role ? [
      { name: 'MEMGUARD_APP_ROLE', value: role.name },
      { name: 'MEMGUARD_APP_DATABASE', value: role.database },
      { name: 'MEMGUARD_APP_CREATEDB', value: role.createDb ? 'true' : 'false' },
      { name: 'MEMGUARD_APP_PASSWORD', valueFrom: { secretKeyRef: { name: role.passwordSecret.secretName, key: role.passwordSecret.key ?? 'password' } } },
    ] : [];
    // Headless: it governs the StatefulSet and resolves to the one pod.
    this.service = workloadService(this, { namespace, selector, labels, ports: [{ name: 'postgresql', port: this.port }], headless: true });
    this.serviceName = this.service.name;
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { namespace, labels },
      spec: {
        serviceName: this.service.name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: hardenedPodTemplate(labels, uid, {
          containers: [{
            name: 'postgresql',
            image,
            imagePullPolicy: 'IfNotPresent',
            // The image's entrypoint runs initdb on first start, then `postgres` with these arguments.
            args: ['-c', `config_file=${POSTGRES_CONFIG_DIR}/postgresql.conf`],
            env: [
              { name: 'PGDATA', value: POSTGRES_PGDATA },
              {
                name: 'POSTGRES_PASSWORD',
                valueFrom: { secretKeyRef: { name: workload.passwordSecret.secretName, key: workload.passwordSecret.key ?? 'password' } },
              },
              ...roleEnv,
            ],
            ports: [{ name: 'postgresql', containerPort: this.port, protocol: 'TCP' }],
            resources: {
              requests: {
                memory: quantity(props.limit),
                cpu: quantity(workload.cpu ?? Cpu.cores(props.cpus)),
                ...(hugePages ? { 'hugepages-2Mi': quantity(hugePages) } : {}),
              },
              limits: { memory: quantity(props.limit), ...(hugePages ? { 'hugepages-2Mi': quantity(hugePages) } : {}) },
            },
            securityContext: hardenedContainer(uid),
            readinessProbe: { exec: { command: ['pg_isready', '-h', '127.0.0.1', '-p', String(this.port)] }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('postgresql') }, initialDelaySeconds: 30, periodSeconds: 20 },
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/postgresql/data' },
              { name: 'config', mountPath: POSTGRES_CONFIG_DIR, readOnly: true },
              { name: 'dshm', mountPath: '/dev/shm' },
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
              ...(hugePages ? [{ name: 'hugepages', mountPath: '/hugepages' }] : []),
              ...(this.initScripts ? [{ name: 'initdb', mountPath: POSTGRES_INITDB_DIR, readOnly: true }] : []),
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: this.configMap.name } },
            // Parallel queries' dynamic shared memory lives here; it is charged to the pod, and the budget counts it.
            { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: quantity(this.devShm) } },
            { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
            ...(hugePages ? [{ name: 'hugepages', emptyDir: { medium: 'HugePages-2Mi' } }] : []),
            // Executable (0555), so the image's entrypoint runs the script in its own process instead of sourcing it.
            ...(this.initScripts ? [{ name: 'initdb', configMap: { name: this.initScripts.name, defaultMode: 0o555 } }] : []),
          ],
        }),
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: workload.storageClassName,
            resources: { requests: { storage: quantity(workload.storage ?? Memory.gibibytes(10)) } },
          },
        }],
      },
    });
  }
}

/** Role and database names the init script and PgBouncer both accept: 1 to 63 characters, no quoting surprises. */
const APPLICATION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

function checkApplicationRole(role: PostgresApplicationRole): void {
  const accepted = '1 to 63 letters, digits, "_", "." or "-", not starting with "." or "-"';
  if (typeof role.name !== 'string' || !APPLICATION_NAME.test(role.name)) {
    throw new InputError({ field: 'workload.applicationRole.name', value: role.name, accepted });
  }
  if (role.name === 'postgres') {
    throw new InputError({
      field: 'workload.applicationRole.name', value: role.name, reason: 'that is the superuser the image creates', accepted: 'another role name',
    });
  }
  if (typeof role.database !== 'string' || !APPLICATION_NAME.test(role.database)) {
    throw new InputError({ field: 'workload.applicationRole.database', value: role.database, accepted });
  }
  if (['postgres', 'template0', 'template1'].includes(role.database)) {
    throw new InputError({
      field: 'workload.applicationRole.database', value: role.database, reason: 'that database belongs to the server', accepted: 'another database name',
    });
  }
  if (!role.passwordSecret?.secretName) {
    throw new InputError({
      field: 'workload.applicationRole.passwordSecret.secretName', value: role.passwordSecret?.secretName, accepted: 'the name of an existing Secret',
    });
  }
}
