import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/swap-daemon-set';

/** Pulumi args of {@link SwapDaemonSet}: the same documented shape as the cdk8s construct's props. */
export type SwapDaemonSetArgs = cdk8s.SwapDaemonSetProps;

/** The opt-in swap DaemonSet, as Pulumi resources (a shell over the cdk8s `SwapDaemonSet`). */
export class SwapDaemonSet extends ChartComponent<cdk8s.SwapDaemonSet> {
  constructor(name: string, args: SwapDaemonSetArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:SwapDaemonSet', name, (chart) => new cdk8s.SwapDaemonSet(chart, 'Resource', args), opts);
  }
}
