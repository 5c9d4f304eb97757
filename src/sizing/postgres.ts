import { InputError, checkInteger, checkOneOf } from './errors';
import { Memory } from './quantity';

/** PostgreSQL major versions memguard sizes for. */
export const POSTGRES_VERSIONS = [13, 14, 15, 16, 17, 18] as const;
/** A supported PostgreSQL major version. */
export type PostgresVersion = typeof POSTGRES_VERSIONS[number];
/** PGTune's workload types: web application, OLTP, data warehouse, desktop (developer machine), mixed. */
export const POSTGRES_DB_TYPES = ['web', 'oltp', 'dw', 'desktop', 'mixed'] as const;
export type PostgresDbType = typeof POSTGRES_DB_TYPES[number];
/** Data storage kinds, as PGTune names them. */
export const POSTGRES_STORAGE_TYPES = ['ssd', 'hdd', 'san', 'nvme'] as const;
export type PostgresStorage = typeof POSTGRES_STORAGE_TYPES[number];
/** Operating systems, as PGTune names them. */
export const POSTGRES_OS_TYPES = ['linux', 'windows', 'mac'] as const;
export type PostgresOs = typeof POSTGRES_OS_TYPES[number];
/** PGTune's "database size vs RAM" input. */
export const POSTGRES_DB_SIZES = ['less_ram', 'mid_ram', 'greater_ram'] as const;
export type PostgresDbSize = typeof POSTGRES_DB_SIZES[number];
/** `pgtune`: PGTune's output, byte for byte; `container`: a worst case that fits a container memory limit. */
export const POSTGRES_PROFILES = ['pgtune', 'container'] as const;
export type PostgresProfile = typeof POSTGRES_PROFILES[number];

/** Inputs of {@link postgresSettings}. */
export interface PostgresInput {
  /**
   * Memory of the machine (profile `pgtune`) or the container's memory limit (profile `container`).
   * At least 256Mi; profile `pgtune` also needs what PGTune's form accepts: a whole number of MB, at least 512MB.
   */
  readonly ram: Memory;
  /** Whole CPUs (the container's CPU limit, rounded down, for profile `container`). */
  readonly cpus: number;
  /** PostgreSQL major version. @default 16 */
  readonly pgVersion?: number;
  /** Workload type. @default 'web' */
  readonly dbType?: PostgresDbType;
  /** Data storage. @default 'ssd' */
  readonly storage?: PostgresStorage;
  /** Operating system the server runs on. @default 'linux' */
  readonly os?: PostgresOs;
  /**
   * PGTune's "database size vs RAM": `less_ram` (fits in RAM: random_page_cost 1.1, work_mem +30%), `mid_ram`, or
   * `greater_ram` (work_mem -10%).
   * @default 'mid_ram'
   */
  readonly dbSize?: PostgresDbSize;
  /**
   * `max_connections`.
   * @default - profile `pgtune`: PGTune's per-type default (web 200, oltp 300, dw 40, desktop 20, mixed 100);
   * profile `container`: that default, lowered to what fits the limit with work_mem >= 4MB (at least 10)
   */
  readonly maxConnections?: number;
  /** Which sizing to apply. @default 'container' */
  readonly profile?: PostgresProfile;
  /**
   * The pod's `hugepages-2Mi` request (profile `container` only). When given, shared memory is sized to fit it and
   * `huge_pages = on`; hugepages are not charged to the memory limit.
   * @default - no hugepages: `huge_pages = off`
   * @see https://kubernetes.io/docs/tasks/manage-hugepages/scheduling-hugepages/
   */
  readonly hugePages?: Memory;
  /**
   * `idle_session_timeout` in milliseconds (profile `container`, PostgreSQL >= 14); 0 disables it.
   * @default 1800000 (30 min: the runbook killed connections idle for more than 30 minutes by hand)
   */
  readonly idleSessionTimeoutMs?: number;
  /**
   * `idle_in_transaction_session_timeout` in milliseconds (profile `container`); 0 disables it.
   * @default 600000 (10 min: an idle transaction holds locks and blocks vacuum)
   */
  readonly idleInTransactionSessionTimeoutMs?: number;
}

/** One `postgresql.conf` line: the name and the value exactly as printed. */
export interface PostgresSetting {
  readonly name: string;
  readonly value: string;
}

/**
 * Worst-case memory of a PostgreSQL server under the container profile's model (see {@link postgresSettings}).
 * Every term is charged to the container's memory limit except `sharedMemory` when `sharedMemoryInHugePages`.
 */
export interface PostgresMemoryBudget {
  /** The memory the budget must fit (the container limit, or the machine's RAM for profile `pgtune`). */
  readonly limit: Memory;
  readonly sharedBuffers: Memory;
  readonly walBuffers: Memory;
  /** Other main shared memory: buffer descriptors, lock tables, PGPROC array, ... (2.5% of shared_buffers + 8Mi + 48Ki per process slot). */
  readonly otherSharedMemory: Memory;
  /** shared_buffers + wal_buffers + other shared memory: what `postgres -C shared_memory_size` reports, or more. */
  readonly sharedMemory: Memory;
  /** True when `huge_pages = on` puts the shared memory in the pod's hugepages, outside the memory limit. */
  readonly sharedMemoryInHugePages: boolean;
  /** Postmaster, checkpointer, background writer, WAL writer, autovacuum launcher, ... (private memory). */
  readonly postmasterAndAuxiliary: Memory;
  readonly connections: number;
  readonly parallelWorkers: number;
  /** Private memory of one backend before any sort or hash: catalog and relation caches, plan cache, stack. */
  readonly perBackend: Memory;
  /** (connections + parallel workers) × perBackend. */
  readonly backends: Memory;
  readonly workMem: Memory;
  /** work_mem units one backend may hold at once: one sort plus one hash at hash_mem_multiplier (2) = 3. */
  readonly workMemPerBackend: number;
  /** (connections + parallel workers) × work_mem × workMemPerBackend. */
  readonly queryMemory: Memory;
  /** maintenance_work_mem (one manual VACUUM / CREATE INDEX) + autovacuum workers × autovacuum_work_mem. */
  readonly maintenance: Memory;
  /** /dev/shm (tmpfs, charged to the pod): dynamic shared memory of parallel queries and 8Mi for the rest. */
  readonly devShm: Memory;
  /** Page cache kept for WAL and data file writes (5% of the limit, at least 16Mi): the kernel charges it to the pod. */
  readonly pageCache: Memory;
  /** Sum of every term charged to the memory limit. */
  readonly total: Memory;
  /** True when `total` fits `limit`. */
  readonly fits: boolean;
}

/** The result of {@link postgresSettings}. */
export interface PostgresSettings {
  readonly profile: PostgresProfile;
  /** Settings in output order, values exactly as printed. */
  readonly settings: ReadonlyArray<PostgresSetting>;
  readonly maxConnections: number;
  /** Warnings, one sentence each. */
  readonly warnings: string[];
  /** Comment lines printed before the settings, without the leading `# ` (PGTune's warning block and header for profile `pgtune`). */
  readonly preamble: ReadonlyArray<string>;
  /** The worst-case memory breakdown under the container model (also computed for profile `pgtune`, to compare). */
  readonly budget?: PostgresMemoryBudget;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const KB_PER_MB = 1024;
const KB_PER_GB = 1048576;
/** PGTune's form limit on every number (memory, CPUs, connections). */
const PGTUNE_MAX_NUMBER = 999999;
const PG_MAX_CONNECTIONS = 262143;

const DEFAULT_CONNECTIONS: Record<PostgresDbType, number> = { web: 200, oltp: 300, dw: 40, desktop: 20, mixed: 100 };
const MIN_WAL_KB: Record<PostgresDbType, number> = {
  web: 1024 * KB_PER_MB, oltp: 2048 * KB_PER_MB, dw: 4096 * KB_PER_MB, desktop: 100 * KB_PER_MB, mixed: 1024 * KB_PER_MB,
};
const MAX_WAL_KB: Record<PostgresDbType, number> = {
  web: 4096 * KB_PER_MB, oltp: 8192 * KB_PER_MB, dw: 16384 * KB_PER_MB, desktop: 2048 * KB_PER_MB, mixed: 4096 * KB_PER_MB,
};
const WORK_MEM_DIVISOR: Record<PostgresDbType, number> = { web: 1, oltp: 1, dw: 2, desktop: 6, mixed: 2 };
const IO_CONCURRENCY: Record<PostgresStorage, number> = { hdd: 2, ssd: 200, san: 300, nvme: 1000 };
const DRIVE_NAME: Record<PostgresStorage, string> = { ssd: 'SSDs', nvme: 'NVMe drives', san: 'SAN storage', hdd: 'HDDs' };

/** Container model constants, documented in {@link postgresSettings}. */
const PER_BACKEND = 10 * MIB;
const POSTMASTER_AND_AUXILIARY = 24 * MIB;
const HASH_MEM_MULTIPLIER = 2;
const WORK_MEM_PER_BACKEND = 1 + HASH_MEM_MULTIPLIER;
const DEV_SHM_BASE = 8 * MIB;
const MIN_DEFAULT_CONNECTIONS = 10;
const TARGET_WORK_MEM = 4 * MIB;
const MIN_WORK_MEM = 64 * KIB;
const HUGE_PAGE = 2 * MIB;

/**
 * Sizes PostgreSQL from RAM (or a container memory limit) and CPUs.
 *
 * Profile `pgtune` reproduces PGTune's current output (le0pard/pgtune, `configurationSlice.js`) exactly: parameters,
 * values, units (GB/MB only when exact, else kB), key order, warnings and input limits.
 *
 * Profile `container` (the default) makes the worst case fit the limit `L`:
 *
 * ```
 * shared memory   S = shared_buffers + wal_buffers + (2.5% of shared_buffers + 8Mi + 48Ki × process slots)
 * postmaster/aux  A = 24Mi
 * backends          = (max_connections + max_parallel_workers) × 10Mi          (catalog caches, plan cache, stack)
 *                   max_parallel_workers = CPUs (none with 1 CPU), at most one per 256Mi of L (at least 2)
 * query memory      = (max_connections + max_parallel_workers) × work_mem × 3  (one sort + one hash at hash_mem_multiplier 2)
 * maintenance       = maintenance_work_mem + autovacuum_max_workers × autovacuum_work_mem
 * /dev/shm          = 8Mi + max_parallel_workers × work_mem × hash_mem_multiplier   (parallel hash tables)
 * page cache        = max(5% of L, 16Mi)                                     (dirty WAL/data pages charged to the pod)
 * total <= L        (S is left out when huge_pages = on: hugepages are not charged to the memory limit)
 * ```
 *
 * shared_buffers = L/4 from 1Gi up; below, everything above 768Mi up to L/4, at least L/8 (desktop: L/16);
 * wal_buffers = shared_buffers/32 in whole 8kB pages, 64kB..16MB (PostgreSQL's own auto-tuning);
 * maintenance_work_mem = L/16 (dw L/8), 8Mi..2Gi; autovacuum_work_mem = L/64, 4Mi..1Gi;
 * max_connections = the type's default, lowered so that work_mem >= 4MB (at least 10);
 * work_mem = what is left divided over the connections, in whole 64kB;
 * effective_cache_size = L − everything but shared_buffers, page cache and query memory (the cache while no query sorts).
 */
export function postgresSettings(input: PostgresInput): PostgresSettings {
  const profile = checkOneOf('profile', input.profile ?? 'container', POSTGRES_PROFILES);
  const common = validateCommon(input);
  return profile === 'pgtune' ? pgtuneSettings(input, common) : containerSettings(input, common);
}

interface CommonInput {
  readonly ram: Memory;
  readonly cpus: number;
  readonly version: PostgresVersion;
  readonly dbType: PostgresDbType;
  readonly storage: PostgresStorage;
  readonly os: PostgresOs;
  readonly dbSize: PostgresDbSize;
}

function validateCommon(input: PostgresInput): CommonInput {
  if (!(input.ram instanceof Memory)) {
    throw new InputError({ field: 'ram', value: input.ram, accepted: 'a memory size of at least 256Mi' });
  }
  if (input.ram.bytes < 256 * MIB) {
    throw new InputError({ field: 'ram', value: input.ram, accepted: 'at least 256Mi', reason: 'too little memory for PostgreSQL' });
  }
  const cpus = checkInteger('cpus', input.cpus, 1, PGTUNE_MAX_NUMBER);
  const version = input.pgVersion ?? 16;
  if (!(POSTGRES_VERSIONS as readonly number[]).includes(version)) {
    throw new InputError({ field: 'pgVersion', value: version, accepted: `one of ${POSTGRES_VERSIONS.join(', ')}` });
  }
  return {
    ram: input.ram,
    cpus,
    version: version as PostgresVersion,
    dbType: checkOneOf('dbType', input.dbType ?? 'web', POSTGRES_DB_TYPES),
    storage: checkOneOf('storage', input.storage ?? 'ssd', POSTGRES_STORAGE_TYPES),
    os: checkOneOf('os', input.os ?? 'linux', POSTGRES_OS_TYPES),
    dbSize: checkOneOf('dbSize', input.dbSize ?? 'mid_ram', POSTGRES_DB_SIZES),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Profile pgtune: a transcription of PGTune's selectors. Memory values are in kB, as in PGTune.

function pgtuneSettings(input: PostgresInput, c: CommonInput): PostgresSettings {
  if (input.hugePages !== undefined) {
    throw new InputError({ field: 'hugePages', value: input.hugePages, accepted: 'only with profile "container"' });
  }
  // PGTune's form: an integer amount of MB (>= 512) or GB (>= 1), at most 999999 of the unit.
  if (c.ram.bytes % MIB !== 0 || c.ram.bytes < 512 * MIB) {
    throw new InputError({
      field: 'ram', value: c.ram, accepted: 'a whole number of MB, at least 512MB (PGTune\'s form limits)',
    });
  }
  const ramUnit = c.ram.bytes % GIB === 0 ? 'GB' : 'MB';
  const ramNumber = c.ram.bytes / (ramUnit === 'GB' ? GIB : MIB);
  if (ramNumber > PGTUNE_MAX_NUMBER) {
    throw new InputError({ field: 'ram', value: c.ram, accepted: `at most ${PGTUNE_MAX_NUMBER}GB (PGTune's form limits)` });
  }
  if (input.maxConnections !== undefined) checkInteger('maxConnections', input.maxConnections, 20, PGTUNE_MAX_NUMBER);
  const { version, os, dbType, storage, dbSize, cpus } = c;

  const totalMemoryKb = c.ram.bytes / KIB;
  const maxConnections = input.maxConnections ?? DEFAULT_CONNECTIONS[dbType];
  const sharedBuffers = dbType === 'desktop' ? Math.floor(totalMemoryKb / 16) : Math.floor(totalMemoryKb / 4);
  const hugePages = os === 'mac' ? 'off' : sharedBuffers >= 2 * KB_PER_GB ? 'try' : 'off';
  const effectiveCacheSize = dbType === 'desktop' ? Math.floor(totalMemoryKb / 4) : Math.floor((totalMemoryKb * 3) / 4);

  const windowsCap = os === 'windows' && version <= 17;
  let maintenanceWorkMem = dbType === 'dw' ? Math.floor(totalMemoryKb / 8) : Math.floor(totalMemoryKb / 16);
  const maintenanceLimit = windowsCap ? 2 * KB_PER_GB : 8 * KB_PER_GB;
  if (maintenanceWorkMem >= maintenanceLimit) maintenanceWorkMem = windowsCap ? maintenanceLimit - KB_PER_MB : maintenanceLimit;

  let walBuffers = Math.floor((3 * sharedBuffers) / 100);
  if (walBuffers > 16 * KB_PER_MB) walBuffers = 16 * KB_PER_MB;
  if (walBuffers > 14 * KB_PER_MB && walBuffers < 16 * KB_PER_MB) walBuffers = 16 * KB_PER_MB;
  if (walBuffers < 32) walBuffers = 32;

  const defaultStatisticsTarget = dbType === 'dw' ? 500 : 100;
  const randomPageCost = dbSize === 'less_ram' ? 1.1 : storage === 'hdd' ? 4 : dbType === 'dw' ? 4 : 1.1;
  const effectiveIoConcurrency = os === 'linux' ? IO_CONCURRENCY[storage] : undefined;

  const parallel: Array<[string, number]> = [];
  if (cpus >= 4) {
    let workersPerGather = Math.ceil(cpus / 2);
    if (dbType !== 'dw' && workersPerGather > 4) workersPerGather = 4;
    parallel.push(['max_worker_processes', cpus], ['max_parallel_workers_per_gather', workersPerGather]);
    parallel.push(['max_parallel_workers', cpus]);
    parallel.push(['max_parallel_maintenance_workers', Math.min(Math.ceil(cpus / 2), 4)]);
  }
  const workersForWorkMem = cpus >= 4 ? cpus : 8;
  const workMemValue = (totalMemoryKb - sharedBuffers) / ((maxConnections + workersForWorkMem) * 3);
  let workMem = Math.floor(workMemValue / WORK_MEM_DIVISOR[dbType]);
  if (dbSize === 'less_ram') workMem = Math.floor(workMem * 1.3);
  else if (dbSize === 'greater_ram') workMem = Math.floor(workMem * 0.9);
  if (workMem < 4 * KB_PER_MB) workMem = 4 * KB_PER_MB;
  if (windowsCap && workMem > 2 * KB_PER_GB - KB_PER_MB) workMem = 2 * KB_PER_GB - KB_PER_MB;

  const jit = ['web', 'oltp', 'mixed'].includes(dbType) ? 'off' : undefined;
  const walCompression = version >= 15 ? 'lz4' : 'on';
  const autovacuumMaxWorkers = cpus >= 32 ? 5 : cpus >= 16 ? 4 : undefined;
  let autovacuumWorkMem = maintenanceWorkMem >= 2 * KB_PER_GB ? 2 * KB_PER_GB : undefined;
  if (autovacuumWorkMem !== undefined && windowsCap && autovacuumWorkMem > 2 * KB_PER_GB - KB_PER_MB) {
    autovacuumWorkMem = 2 * KB_PER_GB - KB_PER_MB;
  }
  const ioMethod = version >= 18 ? (os === 'linux' ? 'io_uring' : 'worker') : undefined;
  // io_workers only matters to io_method = worker (PGTune's current output leaves it out with io_uring).
  const ioWorkersValue = Math.min(32, Math.max(3, Math.floor(cpus / 4)));
  const ioWorkers = version >= 18 && ioMethod !== 'io_uring' && ioWorkersValue > 3 ? ioWorkersValue : undefined;

  const entries: Array<[string, string | number | undefined]> = [
    ['max_connections', maxConnections],
    ['shared_buffers', formatKb(sharedBuffers)],
    ['effective_cache_size', formatKb(effectiveCacheSize)],
    ['maintenance_work_mem', formatKb(maintenanceWorkMem)],
    ['checkpoint_completion_target', 0.9],
    ['wal_buffers', formatKb(walBuffers)],
    ['default_statistics_target', defaultStatisticsTarget],
    ['random_page_cost', randomPageCost],
    ['effective_io_concurrency', effectiveIoConcurrency],
    ['work_mem', formatKb(workMem)],
    ['huge_pages', hugePages],
    ['jit', jit],
    ['wal_compression', walCompression],
    ['autovacuum_max_workers', autovacuumMaxWorkers],
    ['autovacuum_work_mem', autovacuumWorkMem === undefined ? undefined : formatKb(autovacuumWorkMem)],
    ['io_method', ioMethod],
    ['io_workers', ioWorkers],
    ['min_wal_size', formatKb(MIN_WAL_KB[dbType])],
    ['max_wal_size', formatKb(MAX_WAL_KB[dbType])],
    ...parallel,
    ...(dbType === 'desktop' ? [['wal_level', 'minimal'], ['max_wal_senders', '0']] as Array<[string, string]> : []),
  ];
  const settings = entries.filter(([, value]) => value !== undefined).map(([name, value]) => ({ name, value: String(value) }));

  // PGTune's warning block: groups of comment lines, separated by an empty comment line.
  const groups: string[][] = [];
  if (c.ram.bytes < 256 * MIB) groups.push(['this tool not being optimal', 'for low memory systems']);
  else if (c.ram.bytes > 100 * GIB) groups.push(['this tool not being optimal', 'for very high memory systems']);
  if (walCompression === 'lz4') groups.push(['wal_compression = lz4 requires PostgreSQL', 'to be compiled with --with-lz4']);
  if (ioMethod === 'io_uring') groups.push(['io_method = io_uring requires PostgreSQL', 'to be compiled with --with-liburing']);
  if (dbType === 'dw' && storage !== 'hdd' && dbSize !== 'less_ram') {
    groups.push([
      `Cost parameters for Data Warehouses on ${DRIVE_NAME[storage]} are left at defaults`,
      'to avoid catastrophic index scan selections',
      'Monitor query planner behavior and adjust random_page_cost if necessary',
    ]);
  }
  const preamble: string[] = [];
  if (groups.length > 0) {
    preamble.push('WARNING');
    groups.forEach((group, i) => preamble.push(...(i > 0 ? [''] : []), ...group));
    preamble.push(BLANK_LINE);
  }
  preamble.push(
    `DB Version: ${version}`,
    `OS Type: ${os}`,
    `DB Type: ${dbType}`,
    `Total Memory (RAM): ${ramNumber} ${ramUnit}`,
    `CPUs num: ${cpus}`,
    ...(input.maxConnections !== undefined ? [`Connections num: ${input.maxConnections}`] : []),
    `Data Storage: ${storage}`,
  );

  const budget = containerBudget({
    limit: c.ram,
    sharedBuffers: Memory.bytes(sharedBuffers * KIB),
    walBuffers: Memory.bytes(walBuffers * KIB),
    connections: maxConnections,
    parallelWorkers: cpus >= 4 ? cpus : 8,
    workMem: Memory.bytes(workMem * KIB),
    maintenanceWorkMem: Memory.bytes(maintenanceWorkMem * KIB),
    autovacuumWorkMem: Memory.bytes((autovacuumWorkMem ?? maintenanceWorkMem) * KIB),
    autovacuumWorkers: autovacuumMaxWorkers ?? 3,
    hashMemMultiplier: version >= 15 ? 2 : 1,
    sharedMemoryInHugePages: false,
  });
  return {
    profile: 'pgtune',
    settings,
    maxConnections,
    warnings: groups.map((group) => group.join(' ')),
    preamble,
    budget,
  };
}

/** Marks the empty line between the preamble's blocks (printed without `#`). */
const BLANK_LINE = '\u0000';

/** PGTune's `formatValue`: a kB amount as `NGB` or `NMB` when exact, else `NkB`. */
function formatKb(kb: number): string {
  if (kb % KB_PER_GB === 0) return `${Math.floor(kb / KB_PER_GB)}GB`;
  if (kb % KB_PER_MB === 0) return `${Math.floor(kb / KB_PER_MB)}MB`;
  return `${kb}kB`;
}

// ---------------------------------------------------------------------------------------------------------------
// Profile container.

interface BudgetTerms {
  readonly limit: Memory;
  readonly sharedBuffers: Memory;
  readonly walBuffers: Memory;
  readonly connections: number;
  readonly parallelWorkers: number;
  readonly workMem: Memory;
  readonly maintenanceWorkMem: Memory;
  readonly autovacuumWorkMem: Memory;
  readonly autovacuumWorkers: number;
  readonly hashMemMultiplier: number;
  readonly sharedMemoryInHugePages: boolean;
}

/** Process slots that take a PGPROC entry and lock-table room: connections, workers, autovacuum, auxiliary. */
function processSlots(connections: number, parallelWorkers: number, autovacuumWorkers: number): number {
  return connections + Math.max(8, parallelWorkers) + autovacuumWorkers + 8;
}

function otherSharedMemory(sharedBuffers: Memory, slots: number): Memory {
  return sharedBuffers.times(0.025, 'ceil').plus(Memory.bytes(8 * MIB + slots * 48 * KIB));
}

function containerBudget(t: BudgetTerms): PostgresMemoryBudget {
  const other = otherSharedMemory(t.sharedBuffers, processSlots(t.connections, t.parallelWorkers, t.autovacuumWorkers));
  const sharedMemory = Memory.sum([t.sharedBuffers, t.walBuffers, other]);
  const processes = t.connections + t.parallelWorkers;
  const perBackend = Memory.bytes(PER_BACKEND);
  const workMemPerBackend = 1 + t.hashMemMultiplier;
  const backends = perBackend.times(processes);
  const queryMemory = t.workMem.times(processes * workMemPerBackend);
  const maintenance = t.maintenanceWorkMem.plus(t.autovacuumWorkMem.times(t.autovacuumWorkers));
  const devShm = Memory.bytes(DEV_SHM_BASE).plus(t.workMem.times(t.parallelWorkers * t.hashMemMultiplier));
  const pageCache = pageCacheReserve(t.limit);
  const postmasterAndAuxiliary = Memory.bytes(POSTMASTER_AND_AUXILIARY);
  const total = Memory.sum([
    ...(t.sharedMemoryInHugePages ? [] : [sharedMemory]),
    postmasterAndAuxiliary, backends, queryMemory, maintenance, devShm, pageCache,
  ]);
  return {
    limit: t.limit,
    sharedBuffers: t.sharedBuffers,
    walBuffers: t.walBuffers,
    otherSharedMemory: other,
    sharedMemory,
    sharedMemoryInHugePages: t.sharedMemoryInHugePages,
    postmasterAndAuxiliary,
    connections: t.connections,
    parallelWorkers: t.parallelWorkers,
    perBackend,
    backends,
    workMem: t.workMem,
    workMemPerBackend,
    queryMemory,
    maintenance,
    devShm,
    pageCache,
    total,
    fits: total.bytes <= t.limit.bytes,
  };
}

function pageCacheReserve(limit: Memory): Memory {
  return Memory.max(limit.times(0.05, 'ceil').ceilTo(Memory.bytes(MIB)), Memory.bytes(16 * MIB));
}

function clampBytes(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** PostgreSQL's wal_buffers auto-tuning (shared_buffers/32, 64kB..16MB), in whole 8kB WAL pages. */
function walBuffersFor(sharedBuffers: Memory): Memory {
  const bytes = clampBytes(Math.floor(sharedBuffers.bytes / 32 / 8192) * 8192, 64 * KIB, 16 * MIB);
  return Memory.bytes(bytes);
}

function containerSharedBuffers(limit: number, dbType: PostgresDbType): number {
  if (dbType === 'desktop') return Math.max(16 * MIB, Math.floor(limit / 16 / MIB) * MIB);
  const bytes = Math.max(limit / 8, Math.min(limit / 4, limit - 768 * MIB));
  return Math.floor(bytes / MIB) * MIB;
}

function containerSettings(input: PostgresInput, c: CommonInput): PostgresSettings {
  const { version, dbType, storage, os, dbSize, cpus } = c;
  const limit = c.ram;
  const L = limit.bytes;
  if (input.maxConnections !== undefined) checkInteger('maxConnections', input.maxConnections, 1, PG_MAX_CONNECTIONS);
  const idleSession = checkInteger('idleSessionTimeoutMs', input.idleSessionTimeoutMs ?? 30 * 60_000, 0, 2147483647);
  const idleInTransaction = checkInteger('idleInTransactionSessionTimeoutMs', input.idleInTransactionSessionTimeoutMs ?? 10 * 60_000, 0, 2147483647);
  const badHugePages = input.hugePages !== undefined
    && (!(input.hugePages instanceof Memory) || input.hugePages.bytes % HUGE_PAGE !== 0 || input.hugePages.bytes < 32 * MIB);
  if (badHugePages) {
    throw new InputError({ field: 'hugePages', value: input.hugePages, accepted: 'a whole number of 2Mi pages, at least 32Mi' });
  }
  const warnings: string[] = [];

  // Parallel query only pays with 2 or more CPUs; each worker is a backend with its own work_mem.
  // At most one worker per 256Mi of the limit, so that small containers do not spend their memory on workers.
  const parallelWorkers = cpus >= 2 ? Math.min(cpus, Math.max(2, Math.floor(L / (256 * MIB)))) : 0;
  const perGatherWanted = dbType === 'dw' ? Math.ceil(cpus / 2) : Math.min(Math.ceil(cpus / 2), 4);
  const workersPerGather = Math.min(perGatherWanted, parallelWorkers);
  const maintenanceWorkers = Math.min(Math.ceil(cpus / 2), 4, parallelWorkers);
  const autovacuumWorkers = cpus >= 32 ? 5 : cpus >= 16 ? 4 : 3;

  const maintenanceWorkMem = Memory.bytes(clampBytes(Math.floor(L / (dbType === 'dw' ? 8 : 16) / MIB) * MIB, 8 * MIB, 2 * GIB));
  const autovacuumWorkMem = Memory.bytes(clampBytes(Math.floor(L / 64 / MIB) * MIB, 4 * MIB, GIB));
  const hugePages = input.hugePages;

  const terms = (sharedBuffers: Memory, connections: number, workMem: Memory): BudgetTerms => ({
    limit,
    sharedBuffers,
    walBuffers: walBuffersFor(sharedBuffers),
    connections,
    parallelWorkers,
    workMem,
    maintenanceWorkMem,
    autovacuumWorkMem,
    autovacuumWorkers,
    hashMemMultiplier: HASH_MEM_MULTIPLIER,
    sharedMemoryInHugePages: hugePages !== undefined,
  });

  // Pick max_connections first (with shared_buffers from the limit rule), then shared_buffers again if hugepages hold
  // the shared memory, then work_mem from what is left.
  let sharedBuffers = Memory.bytes(containerSharedBuffers(L, dbType));
  // Everything but the backends' own memory and their work_mem (which depend on max_connections and work_mem).
  const fixedWith = (sb: Memory, connections: number): number => {
    const b = containerBudget(terms(sb, connections, Memory.bytes(0)));
    return b.total.bytes - b.backends.bytes;
  };
  const perConnectionAt = (wm: number): number => PER_BACKEND + wm * WORK_MEM_PER_BACKEND;
  const workersCostAt = (wm: number): number => parallelWorkers * (PER_BACKEND + wm * (WORK_MEM_PER_BACKEND + HASH_MEM_MULTIPLIER));
  const fitsConnections = (wm: number): number => {
    // The fixed part grows by 48Ki per connection (lock table, PGPROC) unless hugepages hold it.
    const slotCost = hugePages === undefined ? 48 * KIB : 0;
    const fixed = fixedWith(sharedBuffers, 0);
    return Math.floor((L - fixed - workersCostAt(wm)) / (perConnectionAt(wm) + slotCost));
  };
  let connections: number;
  if (input.maxConnections !== undefined) {
    connections = input.maxConnections;
  } else {
    const typeDefault = DEFAULT_CONNECTIONS[dbType];
    connections = Math.min(typeDefault, Math.max(fitsConnections(TARGET_WORK_MEM), Math.min(typeDefault, MIN_DEFAULT_CONNECTIONS)));
  }

  if (hugePages !== undefined) {
    // Largest shared_buffers (whole MiB) whose shared memory fits the hugepages.
    const slots = processSlots(connections, parallelWorkers, autovacuumWorkers);
    let sb = Math.floor((hugePages.bytes - 8 * MIB - slots * 48 * KIB - 16 * MIB) / 1.025 / MIB) * MIB;
    while (sb > 0) {
      const m = Memory.bytes(sb);
      if (Memory.sum([m, walBuffersFor(m), otherSharedMemory(m, slots)]).bytes <= hugePages.bytes) break;
      sb -= MIB;
    }
    if (sb < 16 * MIB) {
      const smallest = Memory.bytes(16 * MIB);
      const needed = Memory.sum([smallest, walBuffersFor(smallest), otherSharedMemory(smallest, slots)]).ceilTo(Memory.bytes(HUGE_PAGE));
      throw new InputError({ field: 'hugePages', value: hugePages, accepted: `at least ${needed} for ${connections} connections`, reason: 'too small for PostgreSQL\'s shared memory' });
    }
    sharedBuffers = Memory.bytes(sb);
  }

  const available = L - fixedWith(sharedBuffers, connections) - (connections + parallelWorkers) * PER_BACKEND;
  const units = (connections + parallelWorkers) * WORK_MEM_PER_BACKEND + parallelWorkers * HASH_MEM_MULTIPLIER;
  const workMemBytes = Math.floor(available / units / (64 * KIB)) * 64 * KIB;
  if (workMemBytes < MIN_WORK_MEM) {
    const most = Math.max(0, fitsConnections(MIN_WORK_MEM));
    throw new InputError({
      field: 'maxConnections',
      value: connections,
      accepted: most >= 1 ? `at most ${most} within a ${limit} limit` : `none within a ${limit} limit; raise the limit`,
      reason: 'the worst case would not fit the memory limit',
    });
  }
  const workMem = Memory.bytes(workMemBytes);
  if (workMemBytes < TARGET_WORK_MEM) {
    warnings.push(`work_mem is ${formatKb(workMemBytes / KIB)}, below 4MB: sorts and hashes will spill to disk; lower max_connections or raise the memory limit`);
  }
  const budget = containerBudget(terms(sharedBuffers, connections, workMem));

  const effectiveCacheSize = Memory.bytes(Math.floor(
    (L - (budget.sharedMemoryInHugePages ? 0 : budget.sharedMemory.bytes - sharedBuffers.bytes)
      - budget.postmasterAndAuxiliary.bytes - budget.backends.bytes - budget.maintenance.bytes - DEV_SHM_BASE
      + (budget.sharedMemoryInHugePages ? sharedBuffers.bytes : 0)) / MIB) * MIB);

  const randomPageCost = dbSize === 'less_ram' ? 1.1 : storage === 'hdd' ? 4 : dbType === 'dw' ? 4 : 1.1;
  const entries: Array<[string, string | number | undefined]> = [
    ['max_connections', connections],
    ['shared_buffers', formatBytes(sharedBuffers)],
    ['effective_cache_size', formatBytes(effectiveCacheSize)],
    ['maintenance_work_mem', formatBytes(maintenanceWorkMem)],
    ['checkpoint_completion_target', 0.9],
    ['wal_buffers', formatBytes(budget.walBuffers)],
    ['default_statistics_target', dbType === 'dw' ? 500 : 100],
    ['random_page_cost', randomPageCost],
    ['effective_io_concurrency', os === 'linux' ? IO_CONCURRENCY[storage] : undefined],
    ['work_mem', formatBytes(workMem)],
    ['hash_mem_multiplier', HASH_MEM_MULTIPLIER],
    ['huge_pages', hugePages === undefined ? 'off' : 'on'],
    ['jit', ['web', 'oltp', 'mixed'].includes(dbType) ? 'off' : undefined],
    ['wal_compression', version >= 15 ? 'lz4' : 'on'],
    ['autovacuum_max_workers', autovacuumWorkers],
    ['autovacuum_work_mem', formatBytes(autovacuumWorkMem)],
    // io_uring is blocked by the container runtimes' default seccomp profile: keep PostgreSQL 18's worker method.
    ['io_method', version >= 18 ? 'worker' : undefined],
    ['min_wal_size', formatKb(MIN_WAL_KB[dbType])],
    ['max_wal_size', formatKb(MAX_WAL_KB[dbType])],
    ['max_worker_processes', Math.max(8, cpus)],
    ['max_parallel_workers_per_gather', workersPerGather],
    ['max_parallel_workers', parallelWorkers],
    ['max_parallel_maintenance_workers', maintenanceWorkers],
    ...(dbType === 'desktop' ? [['wal_level', 'minimal'], ['max_wal_senders', '0']] as Array<[string, string]> : []),
    ['idle_in_transaction_session_timeout', formatMs(idleInTransaction)],
    ['idle_session_timeout', version >= 14 ? formatMs(idleSession) : undefined],
  ];
  if (version < 14 && input.idleSessionTimeoutMs !== undefined && input.idleSessionTimeoutMs !== 0) {
    warnings.push('idle_session_timeout needs PostgreSQL 14 or later: not emitted');
  }
  const settings = entries.filter(([, value]) => value !== undefined).map(([name, value]) => ({ name, value: String(value) }));
  const preamble = [
    'memguard profile: container',
    `PostgreSQL ${version}, ${dbType}, ${storage}, ${os}; container memory limit ${limit}, ${cpus} CPU${cpus === 1 ? '' : 's'}`
      + (hugePages ? `, hugepages-2Mi ${hugePages}` : ''),
    `worst case ${budget.total.toHuman()} of ${limit.toHuman()}: shared memory ${budget.sharedMemory.toHuman()}`
      + (hugePages ? ' (in hugepages)' : '')
      + `, ${connections + parallelWorkers} backends × (10 MiB + 3 × work_mem), maintenance ${budget.maintenance.toHuman()}`
      + `, /dev/shm ${budget.devShm.toHuman()}, page cache ${budget.pageCache.toHuman()}`,
    ...(warnings.length > 0 ? ['', ...warnings.map((w) => `WARNING: ${w}`)] : []),
  ];
  return { profile: 'container', settings, maxConnections: connections, warnings, preamble, budget };
}

/** A byte amount in PostgreSQL units: GB/MB when exact, else kB (always a whole number of kB here). */
function formatBytes(memory: Memory): string {
  return formatKb(Math.floor(memory.bytes / KIB));
}

/** Milliseconds in PostgreSQL's largest exact time unit (`30min`, `10s`, `0`). */
function formatMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as Array<[string, number]>) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The settings as a `postgresql.conf` fragment: the preamble as `#` comments (PGTune's header for profile `pgtune`,
 * byte for byte), a blank line, then `name = value` lines.
 */
export function toPostgresqlConf(result: PostgresSettings): string {
  const comments = result.preamble.map((line) => (line === BLANK_LINE ? '' : `# ${line}`));
  const lines = result.settings.map((s) => `${s.name} = ${s.value}`);
  return `${[...comments, '', ...lines].join('\n')}\n`;
}

/** `{"settings": {name: value}, "warnings": [...]}`, keys in output order (exported from the package as `postgresSettingsJson`). */
export function toJson(result: PostgresSettings): { settings: Record<string, string>; warnings: string[] } {
  const settings: Record<string, string> = {};
  for (const s of result.settings) settings[s.name] = s.value;
  return { settings, warnings: [...result.warnings] };
}
