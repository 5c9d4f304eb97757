import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-dashboard';

/**
 * Pulumi args of {@link MemoryDashboard}: the same documented shape as the cdk8s construct's props. Pass other
 * components' rows as `signals` / `sections` here: there is no `addSection` after construction.
 */
export type MemoryDashboardArgs = cdk8s.MemoryDashboardProps;

/** The memguard memory dashboard as a sidecar ConfigMap and/or GrafanaDashboard: a shell over the cdk8s `MemoryDashboard`. */
export class MemoryDashboard extends ChartComponent<cdk8s.MemoryDashboard> {
  constructor(name: string, args: MemoryDashboardArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:MemoryDashboard', name, (chart) => new cdk8s.MemoryDashboard(chart, 'Resource', args), opts);
  }

  /** The dashboard uid. */
  public get uid(): string {
    return this.construct.uid;
  }
}
