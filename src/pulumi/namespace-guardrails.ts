import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/namespace-guardrails';

/** Pulumi args of `NamespaceGuardrails`: the same documented shape as the cdk8s props. */
export type NamespaceGuardrailsArgs = cdk8s.NamespaceGuardrailsProps;

/** `NamespaceGuardrails` as a Pulumi component: a LimitRange and a ResourceQuota for memory. */
export class NamespaceGuardrails extends ChartComponent<cdk8s.NamespaceGuardrails> {
  constructor(name: string, args: NamespaceGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:NamespaceGuardrails', name, (chart) => new cdk8s.NamespaceGuardrails(chart, 'Resource', args), opts);
  }
}
