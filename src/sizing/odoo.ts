import { InputError, checkInteger, checkRange } from './errors';
import { Memory } from './quantity';

/**
 * Odoo's prefork server sized from its memory (the container limit) and CPUs.
 *
 * Sources: odoo/documentation `administration/on_premise/deploy.rst` ("Builtin server": worker count rule of thumb,
 * memory formula and sample configuration) and odoo/odoo `odoo/tools/config.py` (defaults, `[options]` parsing).
 */

/** A light request's resident memory in the official sizing formula (150 MB). */
export const ODOO_LIGHT_WORKER_MEMORY = Memory.mebibytes(150);
/** A heavy request's resident memory in the official sizing formula (1 GB). */
export const ODOO_HEAVY_WORKER_MEMORY = Memory.mebibytes(1024);
/**
 * The average resident memory of one worker or cron process in the official formula:
 * 80% light requests (150 MB) and 20% heavy ones (1 GB) = 324.8 MiB, rounded up to whole bytes.
 */
export const ODOO_AVERAGE_PROCESS_MEMORY = Memory.bytes(Math.ceil(0.8 * ODOO_LIGHT_WORKER_MEMORY.bytes + 0.2 * ODOO_HEAVY_WORKER_MEMORY.bytes));
/**
 * What the processes that are not request workers take: the prefork master and the gevent (websocket/longpolling)
 * worker, counted as light processes (2 x 150 MiB).
 */
export const ODOO_FIXED_OVERHEAD = ODOO_LIGHT_WORKER_MEMORY.times(2);
/**
 * The lowest `limit_memory_soft` memguard emits: the official sample's value (629145600 = 600 MiB). Odoo compares it
 * with a worker's VIRTUAL size, which starts well above its resident size; a lower soft limit would recycle workers
 * after nearly every request.
 */
export const ODOO_MIN_SOFT_LIMIT = Memory.mebibytes(600);
/** Odoo's own default `limit_memory_soft` (2048 MiB), the highest memguard emits. */
export const ODOO_DEFAULT_SOFT_LIMIT = Memory.mebibytes(2048);
/** The room one heavy request gets above the soft limit before `limit_memory_hard` stops it (1 GiB, the formula's heavy request). */
export const ODOO_HEAVY_REQUEST_ALLOWANCE = ODOO_HEAVY_WORKER_MEMORY;

/** The Odoo users per worker in the official rule of thumb. */
export const ODOO_USERS_PER_WORKER = 6;

/** Input of {@link odooSettings}. */
export interface OdooInput {
  /** The memory Odoo may use: the container's memory limit, or the machine's RAM when Odoo runs alone. */
  readonly ram: Memory;
  /** CPU cores available to Odoo (fractions allowed, as in a container's CPU limit). */
  readonly cpus: number;
  /** Expected concurrent users; the official rule is one worker per 6. @default - no user bound */
  readonly concurrentUsers?: number;
  /** Odoo pods (replicas) sharing one PostgreSQL. Only the connection count depends on it. @default 1 */
  readonly replicas?: number;
  /** Force the worker count (still checked against the memory). @default - computed */
  readonly workers?: number;
  /** `max_cron_threads`: extra cron processes in prefork mode. @default 1 (the official sample) */
  readonly maxCronThreads?: number;
  /** `limit_time_cpu` in seconds. @default 600 (the official sample; Odoo's own default of 60 stops big reports) */
  readonly limitTimeCpu?: number;
  /** `limit_time_real` in seconds. @default 1200 (the official sample) */
  readonly limitTimeReal?: number;
  /** `limit_request`: requests a worker serves before it is recycled. @default 8192 (the official sample) */
  readonly limitRequest?: number;
  /**
   * `db_maxconn`: the connection pool size of EACH Odoo process (Odoo's default is 64). Prefork workers serve one
   * request at a time and rarely hold more than two cursors; the gevent worker shares the value.
   * @default 16
   */
  readonly dbMaxconn?: number;
}

/** Which bound decided the worker count. */
export type OdooWorkerBound = 'cpu' | 'users' | 'memory' | 'override';

/** One `odoo.conf` option, in output order. */
export interface OdooOption {
  readonly name: string;
  readonly value: number | string;
}

/** Result of {@link odooSettings}. */
export interface OdooSettings {
  /** `workers`: HTTP worker processes per pod. */
  readonly workers: number;
  /** `max_cron_threads`: cron processes per pod. */
  readonly maxCronThreads: number;
  /** `limit_memory_soft` (virtual memory; whole MiB, emitted in bytes). */
  readonly limitMemorySoft: Memory;
  /** `limit_memory_hard` (virtual memory; whole MiB, emitted in bytes). */
  readonly limitMemoryHard: Memory;
  readonly limitTimeCpu: number;
  readonly limitTimeReal: number;
  readonly limitRequest: number;
  readonly dbMaxconn: number;
  readonly replicas: number;
  /** The memory these settings were computed for (the container limit). */
  readonly ram: Memory;
  /** The worker count each bound allows, and the one that decided. */
  readonly workerBounds: { readonly cpu: number; readonly users?: number; readonly memory: number; readonly decidedBy: OdooWorkerBound };
  /** Processes with a connection pool per pod: workers + cron + 1 gevent worker. */
  readonly pooledProcesses: number;
  /** `(workers + max_cron_threads + 1) * db_maxconn * replicas`: the most client connections Odoo can open. */
  readonly worstCaseConnections: number;
  /** Expected resident memory per pod from the official formula: (workers + cron) x 324.8 MiB + master and gevent. */
  readonly expectedMemory: Memory;
  /** The options in `odoo.conf` order. */
  readonly options: readonly OdooOption[];
  readonly warnings: readonly string[];
}

/**
 * Sizes Odoo's prefork server.
 *
 * - `workers = min(2 x CPU + 1, ceil(users / 6) when given, memory bound)`; the memory bound is how many worker and
 *   cron processes of the official formula's 324.8 MiB fit next to the master and gevent worker (2 x 150 MiB).
 * - `limit_memory_soft` = each worker and cron process's share of that memory, whole MiB, between 600 MiB (the
 *   official sample) and 2048 MiB (Odoo's default). `limit_memory_hard` = soft + 1 GiB (one heavy request), at most
 *   all the memory the workers have. Odoo measures VIRTUAL size (`psutil` vms), which is always above the resident
 *   size a container limit counts, so the soft limit recycles a grown worker early and the hard limit
 *   (`RLIMIT_AS`: the allocation fails with MemoryError, the request errors) stops one runaway request before the
 *   kernel's OOM killer would kill the whole pod.
 */
export function odooSettings(input: OdooInput): OdooSettings {
  const ram = input.ram;
  if (!(ram instanceof Memory)) throw new InputError({ field: 'ram', value: ram, accepted: 'a Memory such as Memory.parse("8GiB")' });
  const cpus = checkRange('cpus', input.cpus, 0.1, 1024);
  const replicas = checkInteger('replicas', input.replicas ?? 1, 1, 1000);
  const maxCronThreads = checkInteger('maxCronThreads', input.maxCronThreads ?? 1, 0, 64);
  const limitTimeCpu = checkInteger('limitTimeCpu', input.limitTimeCpu ?? 600, 1);
  const limitTimeReal = checkInteger('limitTimeReal', input.limitTimeReal ?? 1200, 1);
  const limitRequest = checkInteger('limitRequest', input.limitRequest ?? 8192, 1);
  const dbMaxconn = checkInteger('dbMaxconn', input.dbMaxconn ?? 16, 2, 1000);
  const users = input.concurrentUsers === undefined ? undefined : checkInteger('concurrentUsers', input.concurrentUsers, 1);
  if (input.workers !== undefined) checkInteger('workers', input.workers, 1, 1024);

  const minimum = ODOO_FIXED_OVERHEAD.plus(Memory.max(ODOO_MIN_SOFT_LIMIT, ODOO_AVERAGE_PROCESS_MEMORY.times(1 + maxCronThreads, 'ceil')));
  if (ram.isLessThan(minimum)) {
    throw new InputError({
      field: 'ram',
      value: ram.toString(),
      reason: `too small for one Odoo worker and ${maxCronThreads} cron process(es) next to the master and gevent worker`,
      accepted: `at least ${minimum.ceilTo(Memory.mebibytes(1)).toMebibytes('ceil')}Mi`,
    });
  }
  const forWorkers = ram.minus(ODOO_FIXED_OVERHEAD);
  const cpuBound = Math.floor(2 * cpus) + 1;
  const usersBound = users === undefined ? undefined : Math.ceil(users / ODOO_USERS_PER_WORKER);
  const memoryBound = Math.floor(forWorkers.bytes / ODOO_AVERAGE_PROCESS_MEMORY.bytes) - maxCronThreads;

  let workers: number;
  let decidedBy: OdooWorkerBound;
  if (input.workers !== undefined) {
    if (input.workers > memoryBound) {
      throw new InputError({
        field: 'workers',
        value: input.workers,
        reason: `${input.workers} workers and ${maxCronThreads} cron process(es) at 324.8 MiB each (the official formula) do not fit ram ${ram} next to the master and gevent worker`,
        accepted: `a whole number from 1 to ${memoryBound} for ram ${ram}`,
      });
    }
    workers = input.workers;
    decidedBy = 'override';
  } else {
    const bounds: Array<[OdooWorkerBound, number]> = [['cpu', cpuBound], ['memory', memoryBound]];
    if (usersBound !== undefined) bounds.splice(1, 0, ['users', usersBound]);
    [decidedBy, workers] = bounds.reduce((best, next) => (next[1] < best[1] ? next : best));
  }

  const processes = workers + maxCronThreads;
  const mebibyte = Memory.mebibytes(1);
  const share = forWorkers.times(1 / processes, 'floor').floorTo(mebibyte);
  const soft = Memory.min(ODOO_DEFAULT_SOFT_LIMIT, Memory.max(ODOO_MIN_SOFT_LIMIT, share));
  const hard = Memory.max(soft, Memory.min(soft.plus(ODOO_HEAVY_REQUEST_ALLOWANCE), forWorkers.floorTo(mebibyte)));
  const pooledProcesses = workers + maxCronThreads + 1;
  const worstCaseConnections = pooledProcesses * dbMaxconn * replicas;
  const expectedMemory = ODOO_FIXED_OVERHEAD.plus(ODOO_AVERAGE_PROCESS_MEMORY.times(processes, 'ceil'));

  const warnings: string[] = [];
  if (share.isLessThan(ODOO_MIN_SOFT_LIMIT)) {
    warnings.push(`limit_memory_soft is raised to the 600 MiB floor although each of the ${processes} worker and cron processes`
      + ` has only ${share.toMebibytes('floor')} MiB of ram ${ram}; their resident memory is expected to fit (official formula:`
      + ` ${expectedMemory.toHuman()}), and the container limit stays the backstop.`);
  }
  if (limitTimeReal < limitTimeCpu) {
    warnings.push(`limitTimeReal ${limitTimeReal}s is below limitTimeCpu ${limitTimeCpu}s, so the CPU limit never applies.`);
  }

  const options: OdooOption[] = [
    { name: 'workers', value: workers },
    { name: 'max_cron_threads', value: maxCronThreads },
    { name: 'limit_memory_soft', value: soft.bytes },
    { name: 'limit_memory_hard', value: hard.bytes },
    { name: 'limit_time_cpu', value: limitTimeCpu },
    { name: 'limit_time_real', value: limitTimeReal },
    { name: 'limit_request', value: limitRequest },
    { name: 'db_maxconn', value: dbMaxconn },
  ];
  return {
    workers,
    maxCronThreads,
    limitMemorySoft: soft,
    limitMemoryHard: hard,
    limitTimeCpu,
    limitTimeReal,
    limitRequest,
    dbMaxconn,
    replicas,
    ram,
    workerBounds: { cpu: cpuBound, ...(usersBound === undefined ? {} : { users: usersBound }), memory: memoryBound, decidedBy },
    pooledProcesses,
    worstCaseConnections,
    expectedMemory,
    options,
    warnings,
  };
}

/** Where Odoo connects, for `odoo.conf` (never a password). */
export interface OdooConfOptions {
  /** `db_host`, e.g. the PgBouncer Service. @default - not written (the image's HOST env var or Odoo's default) */
  readonly dbHost?: string;
  /** `db_port`. @default - not written */
  readonly dbPort?: number;
  /** `db_user`. @default - not written */
  readonly dbUser?: string;
  /** `proxy_mode`: trust X-Forwarded-* behind an ingress, which the official deployment requires in prefork mode. @default true */
  readonly proxyMode?: boolean;
  /** `gevent_port` (websocket worker, Odoo 16+). @default - not written (Odoo's 8072) */
  readonly geventPort?: number;
  /** `data_dir`: filestore and sessions, a writable volume. @default - not written */
  readonly dataDir?: string;
  /**
   * The one database Odoo serves: writes `db_name = <name>` and `dbfilter = ^<name>$`, so Odoo never offers or opens
   * another database (PgBouncer serves only the databases it has a pool for, and has no `*` fallback pool: a database
   * created under another name would be refused anyway).
   * @default - not written (Odoo lists the databases the user can see and picks by hostname or the selector)
   */
  readonly dbName?: string;
  /**
   * `list_db`: the database selector and the database manager (`/web/database/manager`: create, duplicate, back up,
   * restore, DROP), protected only by the master password `admin_passwd`, whose default is `admin`. `False` also blocks
   * the manager's RPC calls. memguard never writes `admin_passwd`: Odoo reads it from this file only (the official image
   * has no environment variable for it), so a master password must come from a Secret through your own entrypoint or
   * an init container that writes the file; otherwise keep the manager disabled.
   * @default false
   * @see https://www.odoo.com/documentation/17.0/administration/on_premise/deploy.html (Database Manager Security)
   */
  readonly listDb?: boolean;
}

/** Odoo's own database name rule (`odoo/service/db.py` DBNAME_PATTERN), limited to PostgreSQL's 63 bytes. */
const ODOO_DB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * `odoo.conf` text: an `[options]` section (the only one Odoo reads) with integer bytes for the memory limits.
 *
 * No password is written: `db_password` comes from the environment (the official `odoo` image passes its `PASSWORD`
 * variable as `--db_password`, which takes precedence over the file), and that variable should come from a Secret.
 * Neither is `admin_passwd` (the database manager's master password, default `admin`): the manager is disabled
 * (`list_db = False`) unless `listDb` is true.
 */
export function toOdooConf(result: OdooSettings, options: OdooConfOptions = {}): string {
  for (const [name, value] of [['dbHost', options.dbHost], ['dbUser', options.dbUser], ['dataDir', options.dataDir]] as const) {
    if (value !== undefined && !/^[^\s;#=]+$/.test(value)) {
      throw new InputError({ field: name, value, accepted: 'a non-empty value without spaces, "=", ";" or "#"' });
    }
  }
  if (options.dbName !== undefined && !ODOO_DB_NAME.test(options.dbName)) {
    throw new InputError({ field: 'dbName', value: options.dbName, accepted: '1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit' });
  }
  const lines = [
    '; odoo.conf computed by memguard for ram ' + `${result.ram} (${result.ram.toHuman()}): ${result.workers} workers, `
      + `${result.maxCronThreads} cron, worst case ${result.worstCaseConnections} PostgreSQL client connections`,
    '; limit_memory_* are VIRTUAL memory in bytes (Odoo compares them with the process vms).',
    '; db_password is not here: pass it from a Secret (the odoo image reads the PASSWORD environment variable).',
    '; admin_passwd is not here either: keep list_db = False (the database manager is off), or write it from a Secret.',
    ...result.warnings.map((w) => `; WARNING: ${w}`),
    '[options]',
  ];
  if (options.dbHost !== undefined) lines.push(`db_host = ${options.dbHost}`);
  if (options.dbPort !== undefined) lines.push(`db_port = ${checkInteger('dbPort', options.dbPort, 1, 65535)}`);
  if (options.dbUser !== undefined) lines.push(`db_user = ${options.dbUser}`);
  if (options.dataDir !== undefined) lines.push(`data_dir = ${options.dataDir}`);
  lines.push(`proxy_mode = ${options.proxyMode ?? true ? 'True' : 'False'}`);
  if (options.geventPort !== undefined) lines.push(`gevent_port = ${checkInteger('geventPort', options.geventPort, 1, 65535)}`);
  for (const option of result.options) lines.push(`${option.name} = ${option.value}`);
  if (options.dbName !== undefined) {
    // A dot is the only regex metacharacter a valid name can hold.
    lines.push(`db_name = ${options.dbName}`, `dbfilter = ^${options.dbName.replace(/\./g, '\\.')}$`);
  }
  lines.push(`list_db = ${options.listDb ?? false ? 'True' : 'False'}`);
  return lines.join('\n') + '\n';
}
