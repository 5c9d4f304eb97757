import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/node-swap';

/** Pulumi args of {@link NodeSwap}: the same documented shape as the cdk8s construct's props. */
export type NodeSwapArgs = cdk8s.NodeSwapProps;

/** The kubelet swap fragment and node-bootstrap script, as a Pulumi ConfigMap (a shell over the cdk8s `NodeSwap`). */
export class NodeSwap extends ChartComponent {
  /** The KubeletConfiguration fragment as YAML. */
  public readonly kubeletConfigYaml: string;
  /** The node-bootstrap shell script. */
  public readonly bootstrapScript: string;

  constructor(name: string, args: NodeSwapArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.NodeSwap | undefined;
    super('memguard:index:NodeSwap', name, (chart) => { construct = new cdk8s.NodeSwap(chart, 'Resource', args); }, opts);
    this.kubeletConfigYaml = construct!.kubeletConfigYaml;
    this.bootstrapScript = construct!.bootstrapScript;
  }
}
