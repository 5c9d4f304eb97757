/** The example stack as a cdk8s chart, and a summary of what it emits. */
import { App, Chart } from 'cdk8s';
import { BUDGET, NAMESPACE, odooStackProps } from './props';
import { MemoryGuard } from '../../src/cdk8s/memory-guard';
import { workloadMemoryShares } from '../../src/sizing/namespace-budget';
import { Memory } from '../../src/sizing/quantity';

/** Builds the example chart in `app`. */
export function buildOdooStack(app: App): { chart: Chart; guard: MemoryGuard } {
  const chart = new Chart(app, 'odoo-stack', { namespace: NAMESPACE });
  const guard = new MemoryGuard(chart, 'guard', odooStackProps());
  return { chart, guard };
}

/** A short human summary: objects per kind and the memory split of the namespace. */
export function summarize(objects: readonly any[]): string {
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const shares = workloadMemoryShares(objects.filter((o) => (o.metadata?.namespace ?? NAMESPACE) === NAMESPACE));
  const total = Memory.sum(shares.map((s) => s.total));
  const width = Math.max(...shares.map((s) => `${s.kind}/${s.name}`.length));
  return [
    `${objects.length} objects: ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
    '',
    `memory split of namespace ${NAMESPACE} (peak limits, against the ${BUDGET.toHuman()} ResourceQuota):`,
    ...shares.map((s) => `  ${`${s.kind}/${s.name}`.padEnd(width)}  ${s.podLimit.toHuman().padStart(9)} x ${s.pods}  ${s.total.toHuman().padStart(9)}  (${s.podsReason})`),
    `  ${'total'.padEnd(width)}  ${' '.repeat(13)}  ${total.toHuman().padStart(9)}  of ${BUDGET.toHuman()}`,
  ].join('\n');
}
