/**
 * The services around Odoo, in their own namespace: one MemoryTunedDeployment per runtime memguard sizes (Node.js,
 * Python, JVM, Go, .NET), and a legacy CronJob written without limits that the limits policy fills in.
 */
import { MemoryGuardProps } from '../../src/cdk8s/memory-guard';
import { Memory } from '../../src/sizing/quantity';

/** The connectors' namespace. */
export const CONNECTORS_NAMESPACE = 'odoo-connectors';
/** Its memory budget: every workload's peak, rollout surge included, fits it (MemoryGuard checks at every synth). */
export const CONNECTORS_BUDGET = Memory.parse('7Gi');

/** The MemoryGuard props of the connectors' namespace. */
export function connectorsProps(): MemoryGuardProps {
  const mi = (n: number) => Memory.mebibytes(n);
  return {
    namespace: CONNECTORS_NAMESPACE,
    createNamespace: true,
    memoryBudget: CONNECTORS_BUDGET,
    dashboard: { title: 'Odoo connectors: memory' },
    // The odoo namespace's guard already carries the cluster-wide node alerts; once is enough.
    nodeAlerts: false,
    deployments: {
      // Shop webhooks into Odoo: NODE_OPTIONS=--max-old-space-size from the 512Mi limit.
      webhooks: {
        replicas: 2,
        containers: [{ image: 'ghcr.io/acme/shop-webhooks:2.3.1', runtime: 'node', memoryLimit: mi(512), port: 3000, healthCheckPath: '/healthz', user: 1000 }],
      },
      // EDI importer: MALLOC_ARENA_MAX=2 and the safe Python flags, never PYTHONTRACEMALLOC outside an incident.
      ediImporter: { containers: [{ image: 'ghcr.io/acme/edi-importer:1.8.0', runtime: 'python', memoryLimit: mi(768), user: 1000 }] },
      // Product search sync: the JVM heap at 75% of the limit, and exit (not limp on) after an OutOfMemoryError.
      searchSync: { containers: [{ image: 'ghcr.io/acme/search-sync:4.0.2', runtime: 'jvm', memoryLimit: mi(1024), port: 8080, user: 1000 }] },
      // Image thumbnailer: GOMEMLIMIT at 90% of the limit (Go does not read the cgroup limit itself).
      thumbnailer: { containers: [{ image: 'ghcr.io/acme/thumbnailer:0.9.4', runtime: 'go', memoryLimit: mi(256), port: 8081, user: 1000 }] },
      // Invoice PDF renderer: DOTNET_GCHeapHardLimitPercent=0x4B (hexadecimal 75).
      invoicePdf: { containers: [{ image: 'ghcr.io/acme/invoice-pdf:3.1.0', runtime: 'dotnet', memoryLimit: mi(512), port: 8082, user: 1000 }] },
    },
  };
}

/** A CronJob as teams write it by hand: no resources at all. The guard's limits policy gives it the namespace default. */
export const LEGACY_EXPORT_CRONJOB = {
  apiVersion: 'batch/v1' as const,
  kind: 'CronJob' as const,
  metadata: { name: 'nightly-export', namespace: CONNECTORS_NAMESPACE },
  spec: {
    schedule: '0 2 * * *',
    concurrencyPolicy: 'Forbid',
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'export',
              image: 'ghcr.io/acme/nightly-export:1.0.3',
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
  },
};
