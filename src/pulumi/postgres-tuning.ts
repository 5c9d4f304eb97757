import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/postgres-tuning';

/** Pulumi args of {@link PostgresTuning}: the same documented shape as the cdk8s construct's props. */
export type PostgresTuningArgs = cdk8s.PostgresTuningProps;

/** PostgreSQL configuration (and optionally its StatefulSet) sized for a container limit, as Pulumi resources. */
export class PostgresTuning extends ChartComponent<cdk8s.PostgresTuning> {
  constructor(name: string, args: PostgresTuningArgs, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:PostgresTuning', name, (chart) => new cdk8s.PostgresTuning(chart, 'Resource', args), opts);
  }

  /** `max_connections`, for PgBouncer. */
  public get maxConnections(): number {
    return this.construct.maxConnections;
  }

  /** The `postgresql.conf` text the ConfigMap holds. */
  public get postgresqlConf(): string {
    return this.construct.postgresqlConf;
  }
}
