import { remediationConfig, RemediationOptions } from '../../src/remediation/config';

const base: RemediationOptions = { targetNamespaces: ['shop'] };
const redis = { host: 'cache.shop.svc', workload: { kind: 'Deployment' as const, name: 'cache' } };

describe('remediationConfig: the Redis target and the single-replica rule', () => {
  test('GIVEN flush-redis with the cache\'s workload WHEN built THEN the config names that workload in the target namespace', () => {
    const config = remediationConfig({ ...base, actions: ['flush-redis', 'restart'], redis });
    expect(config.redis).toEqual({ host: 'cache.shop.svc', port: 6379, passwordFromEnv: false, workload: { namespace: 'shop', kind: 'Deployment', name: 'cache' } });
  });

  test('GIVEN several target namespaces and the workload\'s namespace WHEN built THEN that namespace is kept', () => {
    const config = remediationConfig({ targetNamespaces: ['shop', 'erp'], actions: ['flush-redis'], redis: { host: 'r', workload: { kind: 'StatefulSet', name: 'redis', namespace: 'erp' } } });
    expect(config.redis?.workload).toEqual({ namespace: 'erp', kind: 'StatefulSet', name: 'redis' });
  });

  test('GIVEN no restartSingleReplica WHEN built THEN it is false; GIVEN true THEN true', () => {
    expect(remediationConfig(base).restartSingleReplica).toBe(false);
    expect(remediationConfig({ ...base, restartSingleReplica: true }).restartSingleReplica).toBe(true);
  });

  test.each<[string, Partial<RemediationOptions>, string]>([
    ['a Redis target without its workload', { actions: ['flush-redis'], redis: { host: 'cache.shop.svc' } as any },
      'Invalid redis.workload undefined: flush-redis acts only on the workload the cache belongs to: emptying it frees no memory in any other workload. '
      + 'Accepted: the cache\'s own Deployment or StatefulSet ({ kind, name, namespace? }).'],
    ['flush-redis without a Redis target', { actions: ['flush-redis'] },
      'Invalid redis undefined. Accepted: a Redis target ({ host, workload, port?, passwordSecret? }) when actions include "flush-redis".'],
    ['a workload kind that cannot be remediated', { redis: { ...redis, workload: { kind: 'DaemonSet' as any, name: 'cache' } } },
      'Invalid redis.workload.kind "DaemonSet". Accepted: one of "Deployment", "StatefulSet".'],
    ['a workload name that is not a DNS name', { redis: { ...redis, workload: { kind: 'Deployment', name: 'Cache_1' } } },
      'Invalid redis.workload.name "Cache_1". Accepted: a workload name (lowercase DNS subdomain).'],
    ['a workload outside the target namespaces', { redis: { ...redis, workload: { kind: 'Deployment', name: 'cache', namespace: 'other' } } },
      'Invalid redis.workload.namespace "other". Accepted: one of the target namespaces (shop).'],
    ['several target namespaces and no workload namespace', { targetNamespaces: ['shop', 'erp'], redis },
      'Invalid redis.workload.namespace undefined: there are several target namespaces. Accepted: one of the target namespaces (shop, erp).'],
    ['restartSingleReplica that is not a boolean', { restartSingleReplica: 'yes' as any },
      'Invalid restartSingleReplica "yes". Accepted: true or false.'],
  ])('GIVEN %s WHEN built THEN it throws the whole InputError', (_what, options, message) => {
    expect(() => remediationConfig({ ...base, ...options })).toThrow(message);
    try {
      remediationConfig({ ...base, ...options });
    } catch (e) {
      expect((e as Error).name).toBe('InputError');
      expect((e as Error).message).toBe(message);
    }
  });
});
