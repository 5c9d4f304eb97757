import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-tuned-deployment';

/** Pulumi args of `MemoryTunedDeployment`: the same documented shape as the cdk8s props. */
export type MemoryTunedDeploymentArgs = cdk8s.MemoryTunedDeploymentProps;

/** `MemoryTunedDeployment` as a Pulumi component: a Deployment sized for memory, with its PodDisruptionBudget. */
export class MemoryTunedDeployment extends ChartComponent {
  /** The construct the resources were built from: its signals (`metricMemoryWorkingSet()`, ...) and sized containers. */
  public readonly construct!: cdk8s.MemoryTunedDeployment;

  constructor(name: string, args: MemoryTunedDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.MemoryTunedDeployment | undefined;
    super('memguard:index:MemoryTunedDeployment', name, (chart) => {
      construct = new cdk8s.MemoryTunedDeployment(chart, 'Resource', args);
    }, opts);
    this.construct = construct!;
  }
}
