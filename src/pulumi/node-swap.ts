import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/node-swap';

/** Pulumi args of {@link NodeSwap}: the same documented shape as the cdk8s construct's props. */
export type NodeSwapArgs = cdk8s.NodeSwapProps;

/** The kubelet swap fragment and node-bootstrap script, as a Pulumi ConfigMap (a shell over the cdk8s `NodeSwap`). */
export class NodeSwap extends ChartComponent<cdk8s.NodeSwap> {
  constructor(name: string, args: NodeSwapArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:NodeSwap', name, (chart) => new cdk8s.NodeSwap(chart, 'Resource', args), opts);
  }

  /** The KubeletConfiguration fragment as YAML. */
  public get kubeletConfigYaml(): string {
    return this.construct.kubeletConfigYaml;
  }

  /** The node-bootstrap shell script. */
  public get bootstrapScript(): string {
    return this.construct.bootstrapScript;
  }
}
