import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/odoo-tuning';

/** Pulumi args of {@link OdooTuning}: the same documented shape as the cdk8s construct's props. */
export type OdooTuningArgs = cdk8s.OdooTuningProps;

/** Odoo's odoo.conf (and optionally its Deployment) sized for a container limit, as Pulumi resources. */
export class OdooTuning extends ChartComponent<cdk8s.OdooTuning> {
  constructor(name: string, args: OdooTuningArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:OdooTuning', name, (chart) => new cdk8s.OdooTuning(chart, 'Resource', args), opts);
  }

  /** Odoo's worst-case PostgreSQL client connections. */
  public get worstCaseConnections(): number {
    return this.construct.worstCaseConnections;
  }

  /** The `odoo.conf` text the ConfigMap holds. */
  public get odooConf(): string {
    return this.construct.odooConf;
  }
}
