import { InputError, checkInteger, checkOneOf } from './errors';

/**
 * PgBouncer in front of PostgreSQL for Odoo, sized so that its server connections never exceed what PostgreSQL
 * accepts from ordinary roles.
 *
 * Why transaction pooling works for Odoo, except on one database:
 * - Odoo's request cursors run in explicit transactions (psycopg2 >= 2.7 sends the isolation level with BEGIN, not as a
 *   session SET), use no protocol-level prepared statements (psycopg2 has none) and only transaction-scoped advisory
 *   locks, so a server connection can go back to the pool at every COMMIT/ROLLBACK.
 * - The exception is LISTEN/NOTIFY: the bus (`addons/bus/models/bus.py`, `ImDispatch.loop`) LISTENs on `imbus` and the
 *   prefork cron worker on `cron_trigger`, both on a cursor of the `postgres` database
 *   (`odoo.sql_db.db_connect('postgres')`; `db_system` in newer releases), and wait on that socket after COMMIT. A
 *   transaction pooler would hand that server connection to someone else and the notifications would be lost. So the
 *   `postgres` database gets its own `pool_mode=session` pool sized for every Odoo process, and the Odoo databases use
 *   `transaction` (configurable).
 */

/** PgBouncer's pool modes. */
export const POOL_MODES = ['transaction', 'session'] as const;
/** A PgBouncer pool mode (`statement` breaks multi-statement transactions, which Odoo always uses). */
export type PoolMode = (typeof POOL_MODES)[number];

/** The database Odoo uses for LISTEN/NOTIFY (bus and cron wake-ups) and its database manager. */
export const ODOO_LISTEN_DATABASE = 'postgres';

/** The Odoo side of the pool, as `odooSettings` returns it. */
export interface PgbouncerClientSide {
  /** Odoo `workers` per pod. */
  readonly workers: number;
  /** Odoo `max_cron_threads` per pod. */
  readonly maxCronThreads: number;
  /** Odoo `db_maxconn` (pool size of each Odoo process). */
  readonly dbMaxconn: number;
  /** Odoo pods. @default 1 */
  readonly replicas?: number;
}

/** Input of {@link pgbouncerSettings}. */
export interface PgbouncerInput {
  /** The Odoo clients (an `OdooSettings` fits). */
  readonly odoo: PgbouncerClientSide;
  /** PostgreSQL's `max_connections`. */
  readonly maxConnections: number;
  /** PostgreSQL major version (13-18); `reserved_connections` exists from 16. @default 16 */
  readonly postgresVersion?: number;
  /** PostgreSQL's `superuser_reserved_connections`. @default 3 (PostgreSQL's default) */
  readonly superuserReservedConnections?: number;
  /** PostgreSQL's `reserved_connections` (16+, for roles with pg_use_reserved_connections). @default 0 (PostgreSQL's default) */
  readonly reservedConnections?: number;
  /**
   * Connections that bypass PgBouncer as ordinary roles: postgres_exporter, backups (pg_dump), migrations. Since
   * PostgreSQL 12, WAL senders (replication) have their own `max_wal_senders` slots and are not counted here.
   * @default 2
   */
  readonly directConnections?: number;
  /** `pool_mode` of the Odoo databases. @default 'transaction' */
  readonly poolMode?: PoolMode;
  /** How many Odoo databases PgBouncer serves (each gets its own pool). @default 1 */
  readonly odooDatabases?: number;
  /** `reserve_pool_size` per Odoo database. @default - min(5, a fifth of the database's share) */
  readonly reservePoolSize?: number;
  /** Client connections beyond Odoo's worst case: the admin console, health checks, psql. @default 10 */
  readonly extraClientConnections?: number;
}

/** Result of {@link pgbouncerSettings}. */
export interface PgbouncerSettings {
  /** `pool_mode` of the Odoo databases. */
  readonly poolMode: PoolMode;
  /** `default_pool_size`: server connections per Odoo database pool. */
  readonly defaultPoolSize: number;
  /** `reserve_pool_size`: extra server connections a pool may open when clients wait > `reserve_pool_timeout`. */
  readonly reservePoolSize: number;
  /** `max_client_conn`: Odoo's worst case plus the extra clients. */
  readonly maxClientConn: number;
  /** `max_db_connections` of each Odoo database: pool + reserve, the hard cap per database. */
  readonly maxDbConnections: number;
  /** The session pool of the `postgres` database (LISTEN/NOTIFY), with its own pool size and cap. */
  readonly listenPool: { readonly database: string; readonly poolMode: 'session'; readonly poolSize: number };
  /** How many Odoo databases the numbers are for. */
  readonly odooDatabases: number;
  /** Odoo's worst-case client connections: (workers + cron + 1) x db_maxconn x replicas. */
  readonly clientConnections: number;
  /** The most server connections PgBouncer can open: Odoo databases x max_db_connections + the listen pool. */
  readonly serverConnections: number;
  /** What PostgreSQL leaves for PgBouncer: max_connections - superuser and other reserves - direct connections. */
  readonly availableServerConnections: number;
  readonly maxConnections: number;
  /** The connections counted out of max_connections before PgBouncer's share. */
  readonly reserves: { readonly superuser: number; readonly reserved: number; readonly direct: number };
  readonly warnings: readonly string[];
}

/**
 * Sizes PgBouncer for Odoo.
 *
 * `available = max_connections - superuser_reserved_connections - reserved_connections (16+) - direct connections`.
 * The `postgres` session pool takes one connection per Odoo process (each keeps at most one pooled `postgres`
 * connection for NOTIFY and the database manager) plus one LISTEN connection per gevent and cron process:
 * `((workers + cron + 1) + (1 + cron)) x replicas`. The rest is split between the Odoo databases; each gets
 * `pool + reserve`, with the pool capped at two server connections per Odoo process (a request cursor and one
 * independent cursor), since more could never be used at once in transaction mode.
 * In `session` mode every Odoo client connection pins a server connection, so Odoo's worst case itself must fit.
 */
export function pgbouncerSettings(input: PgbouncerInput): PgbouncerSettings {
  const odoo = input.odoo ?? ({} as PgbouncerClientSide);
  const workers = checkInteger('odoo.workers', odoo.workers, 1, 1024);
  const cron = checkInteger('odoo.maxCronThreads', odoo.maxCronThreads, 0, 64);
  const dbMaxconn = checkInteger('odoo.dbMaxconn', odoo.dbMaxconn, 1, 1000);
  const replicas = checkInteger('odoo.replicas', odoo.replicas ?? 1, 1, 1000);
  const maxConnections = checkInteger('maxConnections', input.maxConnections, 1, 262143);
  const version = checkInteger('postgresVersion', input.postgresVersion ?? 16, 13, 18);
  const superuser = checkInteger('superuserReservedConnections', input.superuserReservedConnections ?? 3, 0, maxConnections);
  const reserved = checkInteger('reservedConnections', input.reservedConnections ?? 0, 0, maxConnections);
  if (reserved > 0 && version < 16) {
    throw new InputError({
      field: 'reservedConnections',
      value: reserved,
      reason: `reserved_connections exists from PostgreSQL 16, not ${version}`,
      accepted: '0 before PostgreSQL 16',
    });
  }
  const direct = checkInteger('directConnections', input.directConnections ?? 2, 0, maxConnections);
  const poolMode = checkOneOf('poolMode', input.poolMode ?? 'transaction', POOL_MODES);
  const databases = checkInteger('odooDatabases', input.odooDatabases ?? 1, 1, 100);
  const extraClients = checkInteger('extraClientConnections', input.extraClientConnections ?? 10, 0, 100000);
  if (input.reservePoolSize !== undefined) checkInteger('reservePoolSize', input.reservePoolSize, 0, maxConnections);

  const processes = (workers + cron + 1) * replicas;
  const clientConnections = processes * dbMaxconn;
  const available = maxConnections - superuser - reserved - direct;
  const listenPoolSize = processes + (1 + cron) * replicas;
  const reserveText = `${maxConnections} max_connections - ${superuser} superuser_reserved_connections`
    + `${version >= 16 ? ` - ${reserved} reserved_connections` : ''} - ${direct} direct connections`;

  let perDatabase: number;
  if (poolMode === 'transaction') {
    perDatabase = Math.floor((available - listenPoolSize) / databases);
    if (perDatabase < 1) {
      const needed = listenPoolSize + databases + superuser + reserved + direct;
      throw new InputError({
        field: 'maxConnections',
        value: maxConnections,
        reason: `${reserveText} leaves ${available} server connections, not enough for the ${listenPoolSize}-connection`
          + ` session pool of the "${ODOO_LISTEN_DATABASE}" database (LISTEN/NOTIFY of ${processes} Odoo processes) plus one per Odoo database`,
        accepted: `at least ${needed} for ${workers} workers, ${cron} cron and ${replicas} replica(s)`,
      });
    }
  } else {
    // Session mode: no multiplexing, each Odoo client connection holds a server connection for its lifetime.
    perDatabase = Math.floor((available - listenPoolSize) / databases);
    if (perDatabase < clientConnections) {
      const needed = listenPoolSize + databases * clientConnections + superuser + reserved + direct;
      throw new InputError({
        field: 'maxConnections',
        value: maxConnections,
        reason: `in session mode each of Odoo's ${clientConnections} client connections per database pins a server connection,`
          + ` but ${reserveText} leaves ${available}`,
        accepted: `at least ${needed}, or poolMode "transaction", or a smaller Odoo dbMaxconn`,
      });
    }
  }
  const reservePoolSize = Math.min(input.reservePoolSize ?? Math.min(5, Math.floor(perDatabase / 5)), perDatabase - 1);
  const usefulPool = poolMode === 'transaction' ? 2 * processes : clientConnections;
  const defaultPoolSize = Math.min(perDatabase - reservePoolSize, usefulPool);
  const maxDbConnections = defaultPoolSize + reservePoolSize;
  const serverConnections = databases * maxDbConnections + listenPoolSize;

  const warnings: string[] = [];
  if (input.reservePoolSize !== undefined && reservePoolSize < input.reservePoolSize) {
    warnings.push(`reservePoolSize ${input.reservePoolSize} is lowered to ${reservePoolSize} so that each Odoo database keeps a pool of at least 1.`);
  }
  if (poolMode === 'transaction' && defaultPoolSize < processes) {
    warnings.push(`default_pool_size ${defaultPoolSize} is below the ${processes} Odoo processes: at peak, requests wait for a`
      + ' server connection (query_wait_timeout) instead of overloading PostgreSQL.');
  }

  return {
    poolMode,
    defaultPoolSize,
    reservePoolSize,
    maxClientConn: clientConnections + extraClients,
    maxDbConnections,
    listenPool: { database: ODOO_LISTEN_DATABASE, poolMode: 'session', poolSize: listenPoolSize },
    odooDatabases: databases,
    clientConnections,
    serverConnections,
    availableServerConnections: available,
    maxConnections,
    reserves: { superuser, reserved, direct },
    warnings,
  };
}

/** Auth methods PgBouncer 1.18+ accepts for clients that we emit. */
export const PGBOUNCER_AUTH_TYPES = ['scram-sha-256', 'md5', 'trust', 'hba', 'cert'] as const;

/** Network and auth for `pgbouncer.ini` (never a password). */
export interface PgbouncerIniOptions {
  /** The Odoo databases, one per `odooDatabases`. Unknown names are refused: there is no `*` fallback pool. */
  readonly databases: readonly string[];
  /** Where PostgreSQL listens (a Service name, or 127.0.0.1). */
  readonly upstreamHost: string;
  /** @default 5432 */
  readonly upstreamPort?: number;
  /** `listen_addr`. @default '0.0.0.0' (all interfaces of the pod) */
  readonly listenAddress?: string;
  /** `listen_port`. @default 6432 */
  readonly listenPort?: number;
  /** `auth_type`. @default 'scram-sha-256' */
  readonly authType?: (typeof PGBOUNCER_AUTH_TYPES)[number];
  /**
   * `auth_file`: a userlist (`"user" "SCRAM-SHA-256$..."`) mounted from a Secret.
   * @default '/etc/pgbouncer/userlist.txt'
   */
  readonly authFile?: string;
  /**
   * `auth_user`: with `authQuery`, PgBouncer looks passwords up in PostgreSQL as this role (whose own secret is in the
   * auth file). @default - not written
   */
  readonly authUser?: string;
  /** `auth_query`. @default - not written; with `authUser`: `SELECT usename, passwd FROM pg_shadow WHERE usename=$1` */
  readonly authQuery?: string;
  /** `admin_users` (may run admin commands on the `pgbouncer` console). @default - not written */
  readonly adminUsers?: readonly string[];
  /** `stats_users` (read-only SHOW commands, e.g. for an exporter). @default - not written */
  readonly statsUsers?: readonly string[];
  /** `unix_socket_dir`; empty disables the socket (the root filesystem is read-only). @default '' */
  readonly unixSocketDir?: string;
}

const INI_WORD = /^[A-Za-z0-9_.\-/]+$/;

/**
 * `pgbouncer.ini` text: the `[databases]` section (each Odoo database, plus the `postgres` session pool) and the
 * `[pgbouncer]` section. No password is written: client passwords live in `auth_file` (a Secret) or are looked up with
 * `auth_query`; PgBouncer reuses the client's credentials towards PostgreSQL.
 */
export function toPgbouncerIni(result: PgbouncerSettings, options: PgbouncerIniOptions): string {
  const databases = options.databases ?? [];
  if (databases.length !== result.odooDatabases) {
    throw new InputError({
      field: 'databases',
      value: [...databases],
      reason: `the settings were computed for ${result.odooDatabases} Odoo database(s)`,
      accepted: `${result.odooDatabases} database name(s)`,
    });
  }
  for (const name of databases) {
    if (typeof name !== 'string' || !INI_WORD.test(name) || name === ODOO_LISTEN_DATABASE || name === 'pgbouncer') {
      throw new InputError({ field: 'databases', value: name, accepted: 'a name of letters, digits, "_", ".", "-" or "/", other than "postgres" and "pgbouncer"' });
    }
  }
  for (const [field, value] of [['upstreamHost', options.upstreamHost], ['listenAddress', options.listenAddress ?? '0.0.0.0']] as const) {
    if (typeof value !== 'string' || !INI_WORD.test(value)) {
      throw new InputError({ field, value, accepted: 'a host name or IP address' });
    }
  }
  if (new Set(databases).size !== databases.length) {
    throw new InputError({ field: 'databases', value: [...databases], accepted: 'distinct names' });
  }
  const upstreamPort = checkInteger('upstreamPort', options.upstreamPort ?? 5432, 1, 65535);
  const listenPort = checkInteger('listenPort', options.listenPort ?? 6432, 1, 65535);
  const authType = checkOneOf('authType', options.authType ?? 'scram-sha-256', PGBOUNCER_AUTH_TYPES);
  if ((options.authQuery !== undefined) && options.authUser === undefined) {
    throw new InputError({ field: 'authQuery', value: options.authQuery, reason: 'auth_query needs auth_user', accepted: 'authQuery together with authUser' });
  }
  const upstream = `host=${options.upstreamHost} port=${upstreamPort}`;
  const lines = [
    `; pgbouncer.ini computed by memguard: ${result.serverConnections} server connections at most, of the`
      + ` ${result.availableServerConnections} PostgreSQL leaves (max_connections ${result.maxConnections}).`,
    '; No passwords here: client secrets are in auth_file (mount it from a Secret) or looked up with auth_query.',
    '[databases]',
    ...databases.map((db) => `${db} = ${upstream} dbname=${db}`),
    `; Odoo LISTENs (bus, cron wake-ups) and NOTIFYs on "${ODOO_LISTEN_DATABASE}": that needs a session pool.`,
    `${ODOO_LISTEN_DATABASE} = ${upstream} dbname=${ODOO_LISTEN_DATABASE} pool_mode=session`
      + ` pool_size=${result.listenPool.poolSize} reserve_pool=0 max_db_connections=${result.listenPool.poolSize}`,
    '',
    '[pgbouncer]',
    `listen_addr = ${options.listenAddress ?? '0.0.0.0'}`,
    `listen_port = ${listenPort}`,
    `unix_socket_dir = ${options.unixSocketDir ?? ''}`,
    `auth_type = ${authType}`,
    `auth_file = ${options.authFile ?? '/etc/pgbouncer/userlist.txt'}`,
  ];
  if (options.authUser !== undefined) {
    lines.push(`auth_user = ${options.authUser}`);
    lines.push(`auth_query = ${options.authQuery ?? 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1'}`);
  }
  if (options.adminUsers?.length) lines.push(`admin_users = ${options.adminUsers.join(', ')}`);
  if (options.statsUsers?.length) lines.push(`stats_users = ${options.statsUsers.join(', ')}`);
  lines.push(
    `pool_mode = ${result.poolMode}`,
    `default_pool_size = ${result.defaultPoolSize}`,
    `reserve_pool_size = ${result.reservePoolSize}`,
    `max_db_connections = ${result.maxDbConnections}`,
    `max_client_conn = ${result.maxClientConn}`,
  );
  return lines.join('\n') + '\n';
}
