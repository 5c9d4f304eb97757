import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-tuned-deployment';

/** Pulumi args of `MemoryTunedDeployment`: the same documented shape as the cdk8s props. */
export type MemoryTunedDeploymentArgs = cdk8s.MemoryTunedDeploymentProps;

/**
 * `MemoryTunedDeployment` as a Pulumi component: a Deployment sized for memory, with its PodDisruptionBudget. Its
 * `construct` holds the signals (`metricMemoryWorkingSet()`, ...) and the sized containers.
 */
export class MemoryTunedDeployment extends ChartComponent<cdk8s.MemoryTunedDeployment> {
  constructor(name: string, args: MemoryTunedDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:MemoryTunedDeployment', name, (chart) => new cdk8s.MemoryTunedDeployment(chart, 'Resource', args), opts);
  }
}
