import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-remediation';

/** Pulumi args of `MemoryRemediation`: the same documented shape as the cdk8s props. */
export type MemoryRemediationArgs = cdk8s.MemoryRemediationProps;

/** `MemoryRemediation` as a Pulumi component: the remediation CronJob, its ConfigMap, ServiceAccount and per-namespace RBAC. */
export class MemoryRemediation extends ChartComponent {
  /** The construct the resources were built from (its `config` is the program's config.json). */
  public readonly construct!: cdk8s.MemoryRemediation;

  constructor(name: string, args: MemoryRemediationArgs, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.MemoryRemediation | undefined;
    super('memguard:index:MemoryRemediation', name, (chart) => {
      construct = new cdk8s.MemoryRemediation(chart, 'Resource', args);
    }, opts);
    this.construct = construct!;
  }
}
