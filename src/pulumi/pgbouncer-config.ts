import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/pgbouncer-config';

/** Pulumi args of {@link PgBouncerConfig}: the same documented shape as the cdk8s construct's props. */
export type PgBouncerConfigArgs = cdk8s.PgBouncerConfigProps;

/** PgBouncer for Odoo (ConfigMap, Deployment, Service) sized to fit max_connections, as Pulumi resources. */
export class PgBouncerConfig extends ChartComponent<cdk8s.PgBouncerConfig> {
  constructor(name: string, args: PgBouncerConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:PgBouncerConfig', name, (chart) => new cdk8s.PgBouncerConfig(chart, 'Resource', args), opts);
  }

  /** The `pgbouncer.ini` text the ConfigMap holds. */
  public get pgbouncerIni(): string {
    return this.construct.pgbouncerIni;
  }

  /** The most server connections PgBouncer opens. */
  public get serverConnections(): number {
    return this.construct.settings.serverConnections;
  }
}
