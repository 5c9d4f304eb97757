import { InputError, checkInteger } from './errors';
import { OdooSettings, odooSettings } from './odoo';
import { PgbouncerSettings, PoolMode, pgbouncerSettings } from './pgbouncer';
import { PostgresDbType, PostgresSettings, PostgresStorage, postgresSettings } from './postgres';
import { Memory } from './quantity';

/** The components of an Odoo stack. */
export type StackComponent = 'postgres' | 'pgbouncer' | 'odoo';

/** PgBouncer's container memory: generous for a process that needs about 2 kB per client connection. */
export const DEFAULT_PGBOUNCER_MEMORY = Memory.mebibytes(64);

/** Input of {@link sizeStack}. */
export interface StackInput {
  /** The memory budget for the whole stack (e.g. a node, or a namespace quota). */
  readonly ram: Memory;
  /**
   * Whole CPUs of the budget. Odoo's worker rule (2 x CPU + 1, the official rule of thumb for a server that also runs
   * its database) and PostgreSQL's parallel settings both see all of them: CPU is shared, memory is split.
   */
  readonly cpus: number;
  /** Expected concurrent Odoo users (one worker per 6). @default - no user bound */
  readonly concurrentUsers?: number;
  /** Odoo pods; the Odoo share is divided between them. @default 1 */
  readonly odooReplicas?: number;
  /** Odoo's percentage of the memory left after PgBouncer; PostgreSQL gets the rest. @default 50 */
  readonly odooPercent?: number;
  /** PgBouncer's container memory. @default 64Mi */
  readonly pgbouncerMemory?: Memory;
  /** @default 16 */
  readonly pgVersion?: number;
  /** PostgreSQL workload type (PGTune's terms). @default 'web' */
  readonly dbType?: PostgresDbType;
  /** @default 'ssd' */
  readonly storage?: PostgresStorage;
  /** PgBouncer `pool_mode` of the Odoo databases. @default 'transaction' */
  readonly poolMode?: PoolMode;
  /** Odoo databases behind PgBouncer. @default 1 */
  readonly odooDatabases?: number;
  /** Odoo `db_maxconn` per process. @default 16 */
  readonly dbMaxconn?: number;
  /** Odoo `max_cron_threads`. @default 1 */
  readonly maxCronThreads?: number;
  /** Connections that bypass PgBouncer (exporter, backups). @default 2 */
  readonly directConnections?: number;
}

/** One component's share of the budget. */
export interface StackShare {
  readonly component: StackComponent;
  /** Memory limit (= request) of ONE pod. */
  readonly memory: Memory;
  readonly replicas: number;
  /** memory x replicas. */
  readonly total: Memory;
  /** Why it gets this much, one sentence. */
  readonly reason: string;
}

/** Result of {@link sizeStack}. */
export interface StackSettings {
  readonly ram: Memory;
  readonly cpus: number;
  /** The split, in the order postgres, pgbouncer, odoo. Totals sum to at most `ram`. */
  readonly split: readonly StackShare[];
  /** What rounding to whole MiB left over. */
  readonly unallocated: Memory;
  readonly postgres: PostgresSettings;
  readonly pgbouncer: PgbouncerSettings;
  readonly odoo: OdooSettings;
  readonly warnings: readonly string[];
}

/**
 * Sizes Odoo + PgBouncer + PostgreSQL for one memory/CPU budget, consistently:
 *
 * 1. PgBouncer gets a small fixed limit (64Mi); Odoo `odooPercent` (50%) of the rest, split between its replicas;
 *    PostgreSQL the remainder, all in whole MiB.
 * 2. Odoo is sized for its share (`odooSettings`, per pod).
 * 3. PostgreSQL is sized with profile `container` for its share. Its `max_connections` is lowered to what PgBouncer
 *    can use (session pool + 2 server connections per Odoo process + reserve, per database, + superuser reserve +
 *    direct connections) when that is below the container default, which leaves more work_mem per connection.
 *    `idle_session_timeout` is 0: PgBouncer closes idle server connections itself (server_idle_timeout), and Odoo's
 *    LISTEN connections are idle by design (killing them drops bus notifications).
 * 4. PgBouncer is sized from Odoo's worst case and that max_connections: its server connections fit by construction.
 */
export function sizeStack(input: StackInput): StackSettings {
  const ram = input.ram;
  if (!(ram instanceof Memory)) throw new InputError({ field: 'ram', value: ram, accepted: 'a Memory such as Memory.parse("8GiB")' });
  const cpus = checkInteger('cpus', input.cpus, 1, 1024);
  const replicas = checkInteger('odooReplicas', input.odooReplicas ?? 1, 1, 100);
  const odooPercent = checkInteger('odooPercent', input.odooPercent ?? 50, 10, 90);
  const pgbouncerMemory = input.pgbouncerMemory ?? DEFAULT_PGBOUNCER_MEMORY;
  const mebibyte = Memory.mebibytes(1);
  const wholeMebibytes = pgbouncerMemory instanceof Memory && pgbouncerMemory.floorTo(mebibyte).equals(pgbouncerMemory);
  if (!wholeMebibytes || pgbouncerMemory.isLessThan(Memory.mebibytes(16))) {
    throw new InputError({ field: 'pgbouncerMemory', value: String(pgbouncerMemory), accepted: 'whole MiB, at least 16Mi' });
  }
  if (!ram.isGreaterThan(pgbouncerMemory.times(4))) {
    throw new InputError({ field: 'ram', value: ram.toString(), reason: `too small next to pgbouncerMemory ${pgbouncerMemory}`, accepted: `more than ${pgbouncerMemory.times(4)}` });
  }

  const rest = ram.minus(pgbouncerMemory);
  const odooPod = rest.times(odooPercent / 100 / replicas, 'floor').floorTo(mebibyte);
  const odooTotal = odooPod.times(replicas);
  const postgresMemory = rest.minus(odooTotal).floorTo(mebibyte);

  const within = <T>(component: string, share: Memory, compute: () => T): T => {
    try {
      return compute();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError({
        field: error.field === 'ram' ? 'ram' : error.field,
        value: error.field === 'ram' ? ram.toString() : error.value,
        accepted: error.accepted,
        message: `${component} share ${share} of ram ${ram}: ${error.message}`,
      });
    }
  };

  const odoo = within('Odoo', odooPod, () => odooSettings({
    ram: odooPod,
    cpus,
    concurrentUsers: input.concurrentUsers,
    replicas,
    dbMaxconn: input.dbMaxconn,
    maxCronThreads: input.maxCronThreads,
  }));
  const pgVersion = input.pgVersion ?? 16;
  const databases = input.odooDatabases ?? 1;
  const direct = input.directConnections ?? 2;
  const pgInput = {
    ram: postgresMemory,
    cpus,
    pgVersion,
    dbType: input.dbType,
    storage: input.storage,
    profile: 'container' as const,
    ...(pgVersion >= 14 ? { idleSessionTimeoutMs: 0 } : {}),
  };
  let postgres = within('PostgreSQL', postgresMemory, () => postgresSettings(pgInput));
  const processes = odoo.pooledProcesses * replicas;
  const listenPool = processes + (1 + odoo.maxCronThreads) * replicas;
  const wanted = listenPool + databases * (2 * processes + 5) + 3 + direct;
  if (wanted < postgres.maxConnections) {
    postgres = within('PostgreSQL', postgresMemory, () => postgresSettings({ ...pgInput, maxConnections: wanted }));
  }
  const pgbouncer = within('PgBouncer', pgbouncerMemory, () => pgbouncerSettings({
    odoo,
    maxConnections: postgres.maxConnections,
    postgresVersion: pgVersion,
    poolMode: input.poolMode,
    odooDatabases: databases,
    directConnections: direct,
  }));

  const split: StackShare[] = [
    {
      component: 'postgres',
      memory: postgresMemory,
      replicas: 1,
      total: postgresMemory,
      reason: `the rest after PgBouncer and Odoo; profile container fits its worst case (${postgres.budget?.total.toHuman() ?? 'n/a'})`
        + ` with max_connections ${postgres.maxConnections}`,
    },
    {
      component: 'pgbouncer',
      memory: pgbouncerMemory,
      replicas: 1,
      total: pgbouncerMemory,
      reason: `fixed: about 2 kB per client connection, ${pgbouncer.maxClientConn} clients at most`,
    },
    {
      component: 'odoo',
      memory: odooPod,
      replicas,
      total: odooTotal,
      reason: `${odooPercent}% of the rest: ${odoo.workers} workers + ${odoo.maxCronThreads} cron`
        + ` (expected ${odoo.expectedMemory.toHuman()} resident per pod, official formula)`,
    },
  ];
  const allocated = Memory.sum(split.map((s) => s.total));
  return {
    ram,
    cpus,
    split,
    unallocated: ram.minus(allocated),
    postgres,
    pgbouncer,
    odoo,
    warnings: [
      ...postgres.warnings.map((w) => `PostgreSQL: ${w}`),
      ...pgbouncer.warnings.map((w) => `PgBouncer: ${w}`),
      ...odoo.warnings.map((w) => `Odoo: ${w}`),
    ],
  };
}
