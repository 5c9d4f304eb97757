import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-remediation';

/** Pulumi args of `MemoryRemediation`: the same documented shape as the cdk8s props. */
export type MemoryRemediationArgs = cdk8s.MemoryRemediationProps;

/**
 * `MemoryRemediation` as a Pulumi component: the remediation CronJob, its ConfigMap, ServiceAccount and per-namespace
 * RBAC. `construct.config` is the program's config.json.
 */
export class MemoryRemediation extends ChartComponent<cdk8s.MemoryRemediation> {
  constructor(name: string, args: MemoryRemediationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:MemoryRemediation', name, (chart) => new cdk8s.MemoryRemediation(chart, 'Resource', args), opts);
  }
}
