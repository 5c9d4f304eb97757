import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/postgres-tuning';

/** Pulumi args of {@link PostgresTuning}: the same documented shape as the cdk8s construct's props. */
export type PostgresTuningArgs = cdk8s.PostgresTuningProps;

/** PostgreSQL configuration (and optionally its StatefulSet) sized for a container limit, as Pulumi resources. */
export class PostgresTuning extends ChartComponent {
  /** `max_connections`, for PgBouncer. */
  public readonly maxConnections: number;
  /** The `postgresql.conf` text the ConfigMap holds. */
  public readonly postgresqlConf: string;

  constructor(name: string, args: PostgresTuningArgs, opts?: pulumi.ComponentResourceOptions) {
    let construct: cdk8s.PostgresTuning | undefined;
    super('memguard:index:PostgresTuning', name, (chart) => {
      construct = new cdk8s.PostgresTuning(chart, 'Resource', args);
    }, opts);
    this.maxConnections = construct!.maxConnections;
    this.postgresqlConf = construct!.postgresqlConf;
  }
}
