import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-guard';

/**
 * Pulumi args of `MemoryGuard`: the same documented shape as the cdk8s props. A Pulumi component cannot gain children
 * after it is registered, so workloads are declared in the props (`deployments`, `redisCaches`, `odooStacks`, ...)
 * rather than added with the factory methods.
 */
export type MemoryGuardArgs = cdk8s.MemoryGuardProps;

/** `MemoryGuard` as a Pulumi component: a namespace guarded end to end, every object its own Kubernetes resource. */
export class MemoryGuard extends ChartComponent {
  /** The construct the resources were built from: its workloads, signals and computed values. */
  public readonly construct!: cdk8s.MemoryGuard;

  constructor(name: string, args: MemoryGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.MemoryGuard | undefined;
    super('memguard:index:MemoryGuard', name, (chart) => {
      construct = new cdk8s.MemoryGuard(chart, 'Resource', args);
    }, opts);
    this.construct = construct!;
  }
}
