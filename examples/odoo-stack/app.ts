/** The example stack as cdk8s charts (one per namespace), and a summary of what they emit. */
import { ApiObject, App, Chart } from 'cdk8s';
import { CONNECTORS_BUDGET, CONNECTORS_NAMESPACE, connectorsProps, LEGACY_EXPORT_CRONJOB } from './connectors';
import { BUDGET, NAMESPACE, odooStackProps } from './props';
import { MemoryGuard } from '../../src/cdk8s/memory-guard';
import { workloadMemoryShares } from '../../src/sizing/namespace-budget';
import { Memory } from '../../src/sizing/quantity';

/** Builds the Odoo stack's chart (namespace `odoo`) in `app`. */
export function buildOdooStack(app: App): { chart: Chart; guard: MemoryGuard } {
  const chart = new Chart(app, 'odoo-stack', { namespace: NAMESPACE });
  const guard = new MemoryGuard(chart, 'guard', odooStackProps());
  return { chart, guard };
}

/**
 * Builds the connectors' chart (namespace `odoo-connectors`): tuned services in five runtimes, and a legacy CronJob with
 * no resources that the guard's limits policy fills in at synth time.
 */
export function buildConnectors(app: App): { chart: Chart; guard: MemoryGuard } {
  const chart = new Chart(app, 'odoo-connectors', { namespace: CONNECTORS_NAMESPACE });
  const guard = new MemoryGuard(chart, 'guard', connectorsProps());
  new ApiObject(chart, 'nightly-export', LEGACY_EXPORT_CRONJOB);
  return { chart, guard };
}

/** The whole example: both charts, with the namespace and budget each one is summarized against. */
export function buildExample(app: App): Array<{ chart: Chart; namespace: string; budget: Memory }> {
  return [
    { chart: buildOdooStack(app).chart, namespace: NAMESPACE, budget: BUDGET },
    { chart: buildConnectors(app).chart, namespace: CONNECTORS_NAMESPACE, budget: CONNECTORS_BUDGET },
  ];
}

/** A short human summary: objects per kind and the memory split of the namespace. */
export function summarize(objects: readonly any[], namespace = NAMESPACE, budget = BUDGET): string {
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const shares = workloadMemoryShares(objects.filter((o) => (o.metadata?.namespace ?? namespace) === namespace));
  const total = Memory.sum(shares.map((s) => s.total));
  const width = Math.max(...shares.map((s) => `${s.kind}/${s.name}`.length));
  return [
    `${objects.length} objects: ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
    '',
    `memory split of namespace ${namespace} (peak limits, against the ${budget.toHuman()} ResourceQuota):`,
    ...shares.map((s) => `  ${`${s.kind}/${s.name}`.padEnd(width)}  ${s.podLimit.toHuman().padStart(9)} x ${s.pods}  ${s.total.toHuman().padStart(9)}  (${s.podsReason})`),
    `  ${'total'.padEnd(width)}  ${' '.repeat(13)}  ${total.toHuman().padStart(9)}  of ${budget.toHuman()}`,
  ].join('\n');
}
