/**
 * PostgreSQL benchmark: one budget (a 2 GiB limit, 2 CPUs), three configurations, alternating rounds.
 *
 *   (a) PostgreSQL's defaults, (b) profile pgtune (2GB, 2 CPUs), (c) profile container (2Gi limit, 2 CPUs).
 *
 * Workloads: pgbench select-only (-S) and a custom script whose sort and hash use work_mem, at a client count near
 * the container profile's max_connections. Prints the median TPS per configuration, the peak PSS summed over the
 * postmaster and its children (sampled from /proc/<pid>/smaps_rollup), container/pgtune TPS ratios, and whether the
 * peak PSS stays under the budget.
 *
 * Run: npx ts-node --transpile-only -P test/tsconfig.json bench/postgres.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { postgresSettings, toPostgresqlConf } from '../src/sizing/postgres';
import { Memory } from '../src/sizing/quantity';
import { postgresBinary, postgresMajorVersion, run, startPostgres, PostgresServer } from '../test/helpers/postgres-server';

const BUDGET = Memory.parse('2Gi');
const CPUS = 2;
const ROUNDS = Number(process.env.MEMGUARD_BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.MEMGUARD_BENCH_SECONDS ?? 6);
const SCALE = 10;

const SORT_HASH_SCRIPT = `\\set aid random(1, ${SCALE * 100000 - 60000})
SELECT a.bid, count(*), sum(a.abalance), max(b.filler)
  FROM (SELECT * FROM pgbench_accounts WHERE aid BETWEEN :aid AND :aid + 60000 ORDER BY abalance, filler) a
  JOIN pgbench_branches b USING (bid)
 GROUP BY a.bid ORDER BY 2 DESC;
`;

interface Config { readonly name: string; readonly fragment?: string; server?: PostgresServer; peakPssKb: number }

function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch { /* the process ended */ }
  }
  const result = [root];
  for (let i = 0; i < result.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === result[i]) result.push(pid);
  }
  return result;
}

function pssKb(root: number): number {
  let total = 0;
  for (const pid of descendants(root)) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (match) total += Number(match[1]);
    } catch { /* the process ended */ }
  }
  return total;
}

async function pgbench(server: PostgresServer, args: string[]): Promise<number> {
  const result = await run(postgresBinary('pgbench'), ['-h', server.host, '-p', String(server.port), '-U', server.user, ...args, 'postgres'],
    { timeoutMs: (SECONDS + 120) * 1000 });
  const match = /tps = ([\d.]+)/.exec(result.stdout);
  if (result.code !== 0 || !match) throw new Error(`pgbench ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
  return Number(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const pgVersion = await postgresMajorVersion();
  const container = postgresSettings({ ram: BUDGET, cpus: CPUS, pgVersion });
  const pgtune = postgresSettings({ ram: BUDGET, cpus: CPUS, pgVersion, profile: 'pgtune' });
  // Leave PostgreSQL's 3 superuser slots free.
  const clients = Math.max(2, container.maxConnections - 4);
  const configs: Config[] = [
    { name: 'defaults', peakPssKb: 0 },
    { name: 'pgtune', fragment: toPostgresqlConf(pgtune), peakPssKb: 0 },
    { name: 'container', fragment: toPostgresqlConf(container), peakPssKb: 0 },
  ];
  const scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-bench-'));
  const script = path.join(scriptDir, 'sort-hash.sql');
  fs.writeFileSync(script, SORT_HASH_SCRIPT);
  const tps: Record<string, Record<string, number[]>> = {};
  try {
    for (const config of configs) {
      config.server = await startPostgres({ confFragment: config.fragment });
      const init = await run(postgresBinary('pgbench'), ['-h', config.server.host, '-p', String(config.server.port), '-U', config.server.user,
        '-i', '-q', '-s', String(SCALE), 'postgres']);
      if (init.code !== 0) throw new Error(`pgbench -i failed (exit ${init.code}):\n${init.stderr}`);
      tps[config.name] = { 'select-only': [], 'sort-hash': [] };
    }
    console.log(`PostgreSQL ${pgVersion}, budget ${BUDGET} / ${CPUS} CPUs, ${clients} clients, ${ROUNDS} rounds × ${SECONDS}s, scale ${SCALE}`);
    for (let round = 0; round < ROUNDS; round++) {
      const order = configs.map((_, i) => configs[(i + round) % configs.length]);
      for (const config of order) {
        const server = config.server!;
        const sampler = setInterval(() => { config.peakPssKb = Math.max(config.peakPssKb, pssKb(server.pid)); }, 200);
        try {
          tps[config.name]['select-only'].push(await pgbench(server, ['-S', '-n', '-c', String(clients), '-j', String(CPUS), '-T', String(SECONDS)]));
          tps[config.name]['sort-hash'].push(await pgbench(server, ['-n', '-f', script, '-c', String(clients), '-j', String(CPUS), '-T', String(SECONDS)]));
        } finally {
          clearInterval(sampler);
          config.peakPssKb = Math.max(config.peakPssKb, pssKb(server.pid));
        }
      }
    }
  } finally {
    for (const config of configs) await config.server?.stop();
    fs.rmSync(scriptDir, { recursive: true, force: true });
  }

  const budgetKb = BUDGET.bytes / 1024;
  console.log('configuration  select-only tps  sort-hash tps  peak PSS      under budget');
  for (const config of configs) {
    const pss = Memory.kibibytes(config.peakPssKb);
    console.log(`${config.name.padEnd(14)} ${median(tps[config.name]['select-only']).toFixed(0).padStart(15)}`
      + ` ${median(tps[config.name]['sort-hash']).toFixed(1).padStart(14)}  ${pss.toHuman().padEnd(12)}  ${config.peakPssKb <= budgetKb ? 'yes' : 'NO'}`);
  }
  for (const workload of ['select-only', 'sort-hash']) {
    const ratio = median(tps.container[workload]) / median(tps.pgtune[workload]);
    console.log(`container/pgtune ${workload}: ${ratio.toFixed(2)}x (goal >= 0.95x)`);
  }
  console.log(`pgtune's worst case by memguard's model: ${pgtune.budget!.total.toHuman()} for a ${BUDGET.toHuman()} budget`
    + ` (${pgtune.maxConnections} connections); container: ${container.budget!.total.toHuman()} (${container.maxConnections} connections)`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
