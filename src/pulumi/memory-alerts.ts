import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/memory-alerts';
import { RuleGroup } from '../observability/types';

/**
 * Pulumi args of {@link MemoryAlerts}: the same documented shape as the cdk8s construct's props. Pass other
 * components' rules as `signals` / `extraRules` here: a Pulumi component registers its resources in its constructor,
 * so there is no `addSignals` after construction.
 */
export type MemoryAlertsArgs = cdk8s.MemoryAlertsProps;

/** memguard's memory alerts as a PrometheusRule (and optional AlertmanagerConfig): a shell over the cdk8s `MemoryAlerts`. */
export class MemoryAlerts extends ChartComponent<cdk8s.MemoryAlerts> {
  /** The rule groups, exactly as emitted. */
  public readonly ruleGroups: readonly RuleGroup[];

  constructor(name: string, args: MemoryAlertsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:MemoryAlerts', name, (chart) => new cdk8s.MemoryAlerts(chart, 'Resource', args), opts);
    this.ruleGroups = this.construct.ruleGroups();
  }
}
