import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/pgbouncer-config';

/** Pulumi args of {@link PgBouncerConfig}: the same documented shape as the cdk8s construct's props. */
export type PgBouncerConfigArgs = cdk8s.PgBouncerConfigProps;

/** PgBouncer for Odoo (ConfigMap, Deployment, Service) sized to fit max_connections, as Pulumi resources. */
export class PgBouncerConfig extends ChartComponent {
  /** The `pgbouncer.ini` text the ConfigMap holds. */
  public readonly pgbouncerIni: string;
  /** The most server connections PgBouncer opens. */
  public readonly serverConnections: number;

  constructor(name: string, args: PgBouncerConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.PgBouncerConfig | undefined;
    super('memguard:index:PgBouncerConfig', name, (chart) => {
      construct = new cdk8s.PgBouncerConfig(chart, 'Resource', args);
    }, opts);
    this.pgbouncerIni = construct!.pgbouncerIni;
    this.serverConnections = construct!.settings.serverConnections;
  }
}
