import * as pulumi from '@pulumi/pulumi';
import { ChartComponent } from './chart-component';
import * as cdk8s from '../cdk8s/redis-cache';

/** Pulumi args of {@link RedisCache}: the same documented shape as the cdk8s construct's props. */
export type RedisCacheArgs = cdk8s.RedisCacheProps;

/** A redis LRU cache sized from its memory limit, as Pulumi resources (a shell over the cdk8s `RedisCache`). */
export class RedisCache extends ChartComponent {
  /** The `redis.conf` text the ConfigMap holds. */
  public readonly redisConf: string;

  constructor(name: string, args: RedisCacheArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    let redisConf = '';
    super('memguard:index:RedisCache', name, (chart) => {
      redisConf = new cdk8s.RedisCache(chart, 'Resource', args).redisConf;
    }, opts);
    this.redisConf = redisConf;
  }
}
