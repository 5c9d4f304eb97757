/**
 * The example stack's props, shared by the cdk8s app (main.ts) and the Pulumi program (pulumi/index.ts): Odoo,
 * PostgreSQL, PgBouncer and a redis cache in one namespace on an 8 GiB / 4 CPU budget, with alerts, a dashboard and
 * remediation.
 */
import { MemoryGuardProps } from '../../src/cdk8s/memory-guard';
import { Cpu, Memory } from '../../src/sizing/quantity';

/** The namespace the stack runs in. */
export const NAMESPACE = 'odoo';
/** The whole namespace's memory: the ResourceQuota, and what everything below must fit. */
export const BUDGET = Memory.parse('8Gi');
export const CPUS = 4;

const REDIS_LIMIT = Memory.parse('512Mi');
const REDIS_EXPORTER = Memory.parse('64Mi');
const REMEDIATION_JOB = Memory.parse('128Mi');
/** PgBouncer rolls out with a surge pod of its own size (64Mi); Odoo rolls out with Recreate, so it needs none. */
const PGBOUNCER_SURGE = Memory.parse('64Mi');

/** What is left for Odoo + PgBouncer + PostgreSQL once the cache, the remediation job and a rollout surge are set aside. */
export const ODOO_STACK_MEMORY = BUDGET.minus(REDIS_LIMIT).minus(REDIS_EXPORTER).minus(REMEDIATION_JOB).minus(PGBOUNCER_SURGE);

/**
 * The CPU the stack requests: the 4-CPU quota less the cache (100m + 20m exporter), the remediation job (50m) and
 * PgBouncer's surge pod (100m). Requests only: nothing has a CPU limit, so idle CPU is shared.
 */
export const ODOO_STACK_CPU_REQUEST = Cpu.millis(CPUS * 1000 - 100 - 20 - 50 - 100);

/** The MemoryGuard props of the example. */
export function odooStackProps(): MemoryGuardProps {
  return {
    namespace: NAMESPACE,
    createNamespace: true,
    memoryBudget: BUDGET,
    cpuBudget: Cpu.cores(CPUS),
    alerts: {
      // Page the runbook's ladder: infra team at 15 min, platform lead at 30, VP engineering at 60.
      alertmanagerConfig: true,
    },
    dashboard: {},
    remediation: {
      // The runbook's automated response: above 85% of the limit, clear the cache, restart, wait 30 s, re-check, open an issue.
      actions: ['flush-redis', 'restart'],
      waitSeconds: 30,
      escalation: { github: { repository: 'acme/odoo-operations', tokenSecret: { secretName: 'memguard-github', key: 'token' } } },
      memory: REMEDIATION_JOB,
    },
    redisCaches: {
      cache: {
        limit: REDIS_LIMIT,
        exporter: { memory: REDIS_EXPORTER },
        password: { secretName: 'redis-auth', key: 'password' },
        // The remediation's flush-redis action needs FLUSHALL; it stays disabled in every other cache.
        allowFlushAll: true,
      },
    },
    odooStacks: {
      shop: {
        memory: ODOO_STACK_MEMORY,
        cpus: CPUS,
        cpuRequest: ODOO_STACK_CPU_REQUEST,
        concurrentUsers: 50,
        secrets: {
          postgresPassword: { secretName: 'postgres-superuser', key: 'password' },
          pgbouncerUserlist: { secretName: 'pgbouncer-userlist', key: 'userlist.txt' },
          odooDatabasePassword: { secretName: 'odoo-db', key: 'password' },
        },
      },
    },
    // Opt-in node swap. Uncomment to emit the kubelet fragment and bootstrap snippet (a ConfigMap); add `daemonSet: {}`
    // only for clusters whose node images cannot change (it runs a privileged init container, see the README).
    // swap: { node: { kubernetesVersion: '1.28', size: Memory.parse('4Gi') } },
  };
}
