import * as fs from 'fs';
import * as path from 'path';
import { PostgresDbType, PostgresProfile, PostgresSettings, postgresSettings, toJson, toPostgresqlConf } from '../../src/sizing/postgres';
import { Memory } from '../../src/sizing/quantity';
import {
  createDataDir, postgresMajorVersion, postgresShow, startPostgres, writeServerFile,
} from '../helpers/postgres-server';

/** The real Debian PostgreSQL accepts every generated file, and a started server reports the values we wrote. */

const SIZES = ['512Mi', '1Gi', '2Gi', '4Gi', '8Gi', '16Gi', '32Gi', '64Gi', '128Gi'];
const DB_TYPES: PostgresDbType[] = ['web', 'oltp', 'dw', 'desktop', 'mixed'];
const PROFILES: PostgresProfile[] = ['container', 'pgtune'];

/** `postgres -C` prints memory in the parameter's base unit, without the unit. */
const BASE_UNIT_KB: Record<string, number> = {
  shared_buffers: 8,
  effective_cache_size: 8,
  wal_buffers: 8,
  work_mem: 1,
  maintenance_work_mem: 1,
  autovacuum_work_mem: 1,
  min_wal_size: 1024,
  max_wal_size: 1024,
};

function kb(value: string): number {
  const match = /^(\d+)(kB|MB|GB)$/.exec(value);
  if (!match) throw new Error(`not a memory value: ${value}`);
  return Number(match[1]) * { kB: 1, MB: 1024, GB: 1048576 }[match[2] as 'kB' | 'MB' | 'GB'];
}

/** What `postgres -C name` prints for a value we wrote: the base unit count, rounded up like PostgreSQL does. */
function expectedShow(name: string, value: string): string {
  const unit = BASE_UNIT_KB[name];
  return unit === undefined ? value : String(Math.ceil(kb(value) / unit));
}

/** Runs `fn` over `items` with one worker per data dir: `postgres -C` of a runtime-computed value locks its data dir. */
async function withWorkers<T>(items: readonly T[], dataDirs: readonly string[], fn: (item: T, dataDir: string) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(dataDirs.map(async (dataDir) => {
    while (next < items.length) await fn(items[next++], dataDir);
  }));
}

let pgVersion: number;
const dataDirs: Array<{ parent: string; dataDir: string }> = [];

beforeAll(async () => {
  pgVersion = await postgresMajorVersion();
  dataDirs.push(await createDataDir(), await createDataDir());
});

afterAll(() => {
  for (const { parent } of dataDirs) fs.rmSync(parent, { recursive: true, force: true });
});

describe('postgres -C accepts every generated file', () => {
  const cases = PROFILES.flatMap((profile) => DB_TYPES.flatMap((dbType) => SIZES.map((size) => ({ profile, dbType, size }))));

  test(`GIVEN ${cases.length} files (sizes 512Mi..128Gi × every db type × both profiles) THEN each parses and reports our values`, async () => {
    const failures: string[] = [];
    await withWorkers(cases, dataDirs.map((d) => d.dataDir), async ({ profile, dbType, size }, dataDir) => {
      const ram = Memory.parse(size);
      const cpus = Math.min(16, Math.max(1, Math.floor(ram.gibibytes)));
      const result = postgresSettings({ ram, cpus, dbType, profile, pgVersion });
      const file = path.join(path.dirname(dataDir), `${profile}-${dbType}-${size}.conf`);
      writeServerFile(file, toPostgresqlConf(result));
      const s = toJson(result).settings;
      try {
        // One invocation reads and validates the whole file; check two values and, for the container profile, that
        // PostgreSQL's own shared memory size stays within our budget.
        for (const name of ['shared_buffers', 'work_mem']) {
          const shown = await postgresShow(dataDir, file, name);
          if (shown !== expectedShow(name, s[name])) failures.push(`${file}: ${name} ${shown} != ${s[name]}`);
        }
        if (profile === 'container') {
          const shmMb = Number(await postgresShow(dataDir, file, 'shared_memory_size'));
          const budgetMb = result.budget!.sharedMemory.bytes / 2 ** 20;
          if (shmMb > budgetMb) failures.push(`${file}: shared_memory_size ${shmMb}MB > budget ${budgetMb}MB`);
        }
      } catch (error) {
        failures.push(String(error));
      }
    });
    expect(failures).toEqual([]);
  });
});

describe('a started server reports the values through SHOW', () => {
  const started: Array<[string, PostgresProfile]> = [['512Mi', 'container'], ['1Gi', 'container'], ['2Gi', 'container'], ['1Gi', 'pgtune']];

  test.each(started)('GIVEN a %s %s configuration THEN SHOW returns every value as written', async (size, profile) => {
    const result: PostgresSettings = postgresSettings({ ram: Memory.parse(size), cpus: 2, profile, pgVersion });
    const server = await startPostgres({ confFragment: toPostgresqlConf(result) });
    try {
      const rows = await server.psql('SELECT name, current_setting(name) FROM pg_settings');
      const shown = new Map(rows.split('\n').map((line) => line.split('|') as [string, string]));
      for (const { name, value } of result.settings) {
        // PostgreSQL rounds wal_buffers to whole 8kB pages; the container profile already writes it rounded.
        const expected = name === 'wal_buffers' && profile === 'pgtune' ? `${Math.ceil(kb(value) / 8) * 8}kB` : value;
        expect([name, shown.get(name)]).toEqual([name, expected]);
      }
    } finally {
      await server.stop();
    }
  });
});
