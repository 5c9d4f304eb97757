import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/redis-cache';

/** Pulumi args of {@link RedisCache}: the same documented shape as the cdk8s construct's props. */
export type RedisCacheArgs = cdk8s.RedisCacheProps;

/** A redis LRU cache sized from its memory limit, as Pulumi resources (a shell over the cdk8s `RedisCache`). */
export class RedisCache extends ChartComponent<cdk8s.RedisCache> {
  constructor(name: string, args: RedisCacheArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('memguard:index:RedisCache', name, (chart) => new cdk8s.RedisCache(chart, 'Resource', args), opts);
  }

  /** The `redis.conf` text the ConfigMap holds. */
  public get redisConf(): string {
    return this.construct.redisConf;
  }
}
