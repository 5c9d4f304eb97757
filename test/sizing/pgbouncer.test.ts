import * as fc from 'fast-check';
import { InputError } from '../../src/sizing/errors';
import { pgbouncerSettings, toPgbouncerIni } from '../../src/sizing/pgbouncer';

const ODOO = { workers: 9, maxCronThreads: 1, dbMaxconn: 16, replicas: 1 };

describe('pgbouncerSettings', () => {
  test('GIVEN 9 Odoo workers and max_connections 100 WHEN sized THEN transaction pools that fit the 95 PostgreSQL leaves', () => {
    const result = pgbouncerSettings({ odoo: ODOO, maxConnections: 100 });
    expect(result).toEqual({
      poolMode: 'transaction',
      defaultPoolSize: 22, // 2 x 11 Odoo processes: more could never be used at once
      reservePoolSize: 5,
      maxClientConn: 186, // 11 x 16 + 10
      maxDbConnections: 27,
      listenPool: { database: 'postgres', poolMode: 'session', poolSize: 13 }, // 11 processes + gevent and cron LISTEN
      odooDatabases: 1,
      clientConnections: 176,
      serverConnections: 40,
      availableServerConnections: 95,
      maxConnections: 100,
      reserves: { superuser: 3, reserved: 0, direct: 2 },
      warnings: [],
    });
  });

  test('GIVEN PostgreSQL 16 with reserved_connections 5 WHEN sized THEN they are counted out too', () => {
    const result = pgbouncerSettings({ odoo: ODOO, maxConnections: 30, reservedConnections: 5 });
    expect(result.availableServerConnections).toBe(20);
    expect(result.defaultPoolSize + result.reservePoolSize + result.listenPool.poolSize).toBe(20);
    expect(result.warnings).toEqual([
      'default_pool_size 6 is below the 11 Odoo processes: at peak, requests wait for a server connection (query_wait_timeout) instead of overloading PostgreSQL.',
    ]);
  });

  test('GIVEN the smallest max_connections WHEN sized THEN a pool of 1; one less is refused with the whole message', () => {
    const result = pgbouncerSettings({ odoo: ODOO, maxConnections: 19 });
    expect([result.defaultPoolSize, result.reservePoolSize, result.serverConnections]).toEqual([1, 0, 14]);
    expect(() => pgbouncerSettings({ odoo: ODOO, maxConnections: 18 })).toThrow(
      'Invalid maxConnections 18: 18 max_connections - 3 superuser_reserved_connections - 0 reserved_connections - 2 direct'
      + ' connections leaves 13 server connections, not enough for the 13-connection session pool of the "postgres" database'
      + ' (LISTEN/NOTIFY of 11 Odoo processes) plus one per Odoo database. Accepted: at least 19 for 9 workers, 1 cron and 1 replica(s).',
    );
  });

  test('GIVEN session mode WHEN Odoo\'s worst case fits THEN one server connection per client; else refused', () => {
    const odoo = { workers: 2, maxCronThreads: 1, dbMaxconn: 4 };
    // clients = 4 x 4 = 16; listen pool = 4 + 2 = 6; needed = 6 + 16 + 3 + 2 = 27
    const result = pgbouncerSettings({ odoo, maxConnections: 27, poolMode: 'session' });
    expect(result.defaultPoolSize + result.reservePoolSize).toBe(16);
    expect(result.serverConnections).toBe(22);
    expect(() => pgbouncerSettings({ odoo, maxConnections: 26, poolMode: 'session' })).toThrow(
      'Invalid maxConnections 26: in session mode each of Odoo\'s 16 client connections per database pins a server connection,'
      + ' but 26 max_connections - 3 superuser_reserved_connections - 0 reserved_connections - 2 direct connections leaves 21.'
      + ' Accepted: at least 27, or poolMode "transaction", or a smaller Odoo dbMaxconn.',
    );
  });

  test('GIVEN two Odoo databases WHEN sized THEN each has its own cap and the total still fits', () => {
    const result = pgbouncerSettings({ odoo: ODOO, maxConnections: 40, odooDatabases: 2 });
    // (35 - 13) / 2 = 11 per database: reserve 2, pool 9
    expect([result.defaultPoolSize, result.reservePoolSize, result.maxDbConnections, result.serverConnections]).toEqual([9, 2, 11, 35]);
  });

  test.each([
    [{ reservedConnections: 1, postgresVersion: 15 }, 'Invalid reservedConnections 1: reserved_connections exists from PostgreSQL 16, not 15. Accepted: 0 before PostgreSQL 16.'],
    [{ postgresVersion: 12 }, 'Invalid postgresVersion 12. Accepted: a whole number from 13 to 18.'],
    [{ poolMode: 'statement' }, 'Invalid poolMode "statement". Accepted: one of "transaction", "session".'],
    [{ maxConnections: 0 }, 'Invalid maxConnections 0. Accepted: a whole number from 1 to 262143.'],
    [{ odoo: { ...ODOO, workers: 0 } }, 'Invalid odoo.workers 0. Accepted: a whole number from 1 to 1024.'],
  ])('GIVEN %j THEN InputError with the whole message', (bad, message) => {
    const run = (): unknown => pgbouncerSettings({ odoo: ODOO, maxConnections: 100, ...(bad as object) });
    expect(run).toThrow(message);
    expect(run).toThrow(InputError);
  });

  test('GIVEN any Odoo side and max_connections WHEN accepted THEN server connections never exceed max_connections - reserves', () => {
    fc.assert(fc.property(
      fc.record({
        workers: fc.integer({ min: 1, max: 64 }),
        maxCronThreads: fc.integer({ min: 0, max: 4 }),
        dbMaxconn: fc.integer({ min: 2, max: 64 }),
        replicas: fc.integer({ min: 1, max: 8 }),
      }),
      fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }),
      fc.constantFrom('transaction' as const, 'session' as const), fc.integer({ min: 1, max: 4 }),
      (odoo, maxConnections, superuser, reserved, poolMode, odooDatabases) => {
        let result;
        try {
          result = pgbouncerSettings({
            odoo, maxConnections, superuserReservedConnections: superuser, reservedConnections: reserved, poolMode, odooDatabases,
          });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          return;
        }
        expect(result.serverConnections).toBeLessThanOrEqual(maxConnections - superuser - reserved - 2);
        expect(result.serverConnections).toBe(odooDatabases * (result.defaultPoolSize + result.reservePoolSize) + result.listenPool.poolSize);
        expect(result.defaultPoolSize).toBeGreaterThanOrEqual(1);
        expect(result.maxClientConn).toBeGreaterThanOrEqual(result.clientConnections);
      },
    ));
  });
});

describe('toPgbouncerIni', () => {
  const settings = pgbouncerSettings({ odoo: ODOO, maxConnections: 100 });

  test('GIVEN the 100-connection settings WHEN rendered THEN the exact sections, with no password', () => {
    const ini = toPgbouncerIni(settings, { databases: ['odoo'], upstreamHost: 'postgres', authUser: 'pgbouncer', statsUsers: ['exporter'] });
    expect(ini.split('\n').filter((l) => !l.startsWith(';'))).toEqual([
      '[databases]',
      'odoo = host=postgres port=5432 dbname=odoo',
      'postgres = host=postgres port=5432 dbname=postgres pool_mode=session pool_size=13 reserve_pool=0 max_db_connections=13',
      '',
      '[pgbouncer]',
      'listen_addr = 0.0.0.0',
      'listen_port = 6432',
      'unix_socket_dir = ',
      'auth_type = scram-sha-256',
      'auth_file = /etc/pgbouncer/userlist.txt',
      'auth_user = pgbouncer',
      'auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename=$1',
      'stats_users = exporter',
      'pool_mode = transaction',
      'default_pool_size = 22',
      'reserve_pool_size = 5',
      'max_db_connections = 27',
      'max_client_conn = 186',
      '',
    ]);
    expect(ini).not.toMatch(/password\s*=/);
  });

  test.each([
    [{ databases: ['a', 'b'] }, 'Invalid databases ["a","b"]: the settings were computed for 1 Odoo database(s). Accepted: 1 database name(s).'],
    [{ databases: ['postgres'] }, 'Invalid databases "postgres". Accepted: a name of letters, digits, "_", ".", "-" or "/", other than "postgres" and "pgbouncer".'],
    [{ upstreamHost: 'a b' }, 'Invalid upstreamHost "a b". Accepted: a host name or IP address.'],
    [{ listenPort: 0 }, 'Invalid listenPort 0. Accepted: a whole number from 1 to 65535.'],
    [{ authQuery: 'SELECT 1' }, 'Invalid authQuery "SELECT 1": auth_query needs auth_user. Accepted: authQuery together with authUser.'],
  ])('GIVEN %j THEN InputError with the whole message', (bad, message) => {
    expect(() => toPgbouncerIni(settings, { databases: ['odoo'], upstreamHost: 'postgres', ...bad })).toThrow(message);
  });
});
