import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-guard';

/**
 * Pulumi args of `MemoryGuard`: the same documented shape as the cdk8s props. A Pulumi component cannot gain children
 * after it is registered, so workloads are declared in the props (`deployments`, `redisCaches`, `odooStacks`, ...)
 * rather than added with the factory methods.
 */
export type MemoryGuardArgs = cdk8s.MemoryGuardProps;

/**
 * `MemoryGuard` as a Pulumi component: a namespace guarded end to end, every object its own Kubernetes resource. Its
 * `construct` holds the workloads, signals and computed values.
 */
export class MemoryGuard extends ChartComponent<cdk8s.MemoryGuard> {
  constructor(name: string, args: MemoryGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:MemoryGuard', name, (chart) => new cdk8s.MemoryGuard(chart, 'Resource', args), opts);
  }
}
