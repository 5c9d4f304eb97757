import * as cdk8s from '../../src/cdk8s';
import { Memory } from '../../src/sizing/quantity';
import { expectValidManifests } from '../helpers/manifests';
import { asJson, expectRegisteredLikeCdk8s, installPulumiMocks, PulumiMocks, settle } from '../helpers/pulumi';

let mocks: PulumiMocks;
let memguard: typeof import('../../src/pulumi');

beforeAll(async () => {
  mocks = await installPulumiMocks();
  memguard = await import('../../src/pulumi');
});
beforeEach(() => mocks.reset());

describe('Pulumi RedisCache', () => {
  test('GIVEN the same props WHEN registered under mocks THEN the ConfigMap, Deployment, Service and ServiceMonitor inputs equal the cdk8s synth', async () => {
    const props = { limit: Memory.parse('1Gi'), namespace: 'shop', password: { secretName: 'redis-auth' } };
    const component = new memguard.RedisCache('cache', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'cache', (chart) => new cdk8s.RedisCache(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment',
      'kubernetes:core/v1:ConfigMap',
      'kubernetes:core/v1:Service',
      'kubernetes:monitoring.coreos.com/v1:ServiceMonitor',
      'memguard:index:RedisCache',
    ]);
    expect(asJson(component.manifests)).toEqual(expected);
    expect(component.redisConf).toContain('maxmemory 768mb\n');
  });
});

describe('Pulumi NodeSwap and SwapDaemonSet', () => {
  test('GIVEN the same props WHEN NodeSwap is registered THEN its ConfigMap equals the cdk8s synth and the strings are exposed', async () => {
    const props = { kubernetesVersion: '1.30' };
    const component = new memguard.NodeSwap('node-swap', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'node-swap', (chart) => new cdk8s.NodeSwap(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(component.kubeletConfigYaml).toBe(expected[0].data['kubelet-config-swap.yaml']);
    expect(component.bootstrapScript).toBe(expected[0].data['swap-bootstrap.sh']);
  });

  test('GIVEN the same props WHEN SwapDaemonSet is registered THEN the Namespace goes first and every input equals the cdk8s synth', async () => {
    const props = { size: Memory.parse('1Gi') };
    new memguard.SwapDaemonSet('swap', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'swap', (chart) => new cdk8s.SwapDaemonSet(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:DaemonSet',
      'kubernetes:core/v1:ConfigMap',
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:ResourceQuota',
      'memguard:index:SwapDaemonSet',
    ]);
  });
});
