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

describe('Pulumi NamespaceGuardrails', () => {
  test('GIVEN the same props WHEN registered under mocks THEN each Kubernetes object is one typed resource with the cdk8s inputs', async () => {
    const props = { namespace: 'shop', memoryBudget: Memory.parse('8Gi'), createNamespace: true };
    const component = new memguard.NamespaceGuardrails('guardrails', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'guardrails', (chart) => new cdk8s.NamespaceGuardrails(chart, 'Resource', props));
    expectValidManifests(expected);
    // Registration completes asynchronously, so compare the set of types; order is carried by dependsOn.
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:core/v1:LimitRange',
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:ResourceQuota',
      'memguard:index:NamespaceGuardrails',
    ]);
    expect(mocks.resources.slice(1).map((r) => r.name).sort()).toEqual(['shop', `shop/${expected[1].metadata.name}`, `shop/${expected[2].metadata.name}`].sort());
    expect(asJson(component.manifests)).toEqual(expected);
  });
});

describe('Pulumi MemoryTunedDeployment', () => {
  test('GIVEN the same props WHEN registered under mocks THEN the Deployment and PDB inputs equal the cdk8s synth', async () => {
    const props = {
      namespace: 'shop',
      replicas: 2,
      containers: [{ image: 'node:20.18-alpine', runtime: 'node' as const, memoryLimit: Memory.parse('1Gi'), port: 3000, user: 1000 }],
    };
    const component = new memguard.MemoryTunedDeployment('web', props);
    await settle();
    expectRegisteredLikeCdk8s(mocks, 'web', (chart) => new cdk8s.MemoryTunedDeployment(chart, 'Resource', props));
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment',
      'kubernetes:policy/v1:PodDisruptionBudget',
      'memguard:index:MemoryTunedDeployment',
    ]);
    expect(component.construct.containers[0].env).toEqual({ NODE_OPTIONS: '--max-old-space-size=768' });
    expect(component.construct.metricMemoryWorkingSet()).toContain('namespace="shop"');
  });

  test('GIVEN bad props WHEN constructed THEN it throws before registering any Kubernetes resource', async () => {
    expect(() => new memguard.MemoryTunedDeployment('bad', { containers: [] })).toThrow('Invalid containers []. Accepted: at least one container.');
    await settle();
    expect(mocks.resources.filter((r) => r.type.startsWith('kubernetes:'))).toEqual([]);
  });
});

describe('memoryLimitPolicy stack transformation', () => {
  test('GIVEN the transformation WHEN a bare typed Deployment is registered THEN its containers get memory limits', async () => {
    const k8s = await import('@pulumi/kubernetes');
    const transformation = memguard.memoryLimitPolicy({ defaultLimit: Memory.parse('256Mi') });
    new k8s.apps.v1.Deployment('bare', {
      metadata: { name: 'bare', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'bare' } },
        template: {
          metadata: { labels: { app: 'bare' } },
          spec: { initContainers: [{ name: 'init', image: 'busybox:1.36' }], containers: [{ name: 'app', image: 'app:1', resources: { limits: { cpu: '1' } } }] },
        },
      },
    }, { transformations: [transformation] });
    new k8s.core.v1.ConfigMap('untouched', { metadata: { name: 'cm' }, data: { a: 'b' } }, { transformations: [transformation] });
    await settle();
    const deployment = mocks.resources.find((r) => r.type === 'kubernetes:apps/v1:Deployment')!;
    expect(deployment.inputs.kind).toBe('Deployment');
    expect(deployment.inputs.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1', memory: '256Mi' }, requests: { memory: '256Mi' } });
    expect(deployment.inputs.spec.template.spec.initContainers[0].resources).toEqual({ limits: { memory: '256Mi' }, requests: { memory: '256Mi' } });
    expect(mocks.resources.find((r) => r.type === 'kubernetes:core/v1:ConfigMap')!.inputs.data).toEqual({ a: 'b' });
  });

  test('GIVEN enforce mode WHEN a workload without limits is transformed THEN the error names the container', () => {
    const transformation = memguard.memoryLimitPolicy({ mode: 'enforce' });
    const args = {
      type: 'kubernetes:batch/v1:CronJob',
      name: 'nightly',
      props: { metadata: { name: 'nightly' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'j:1' }] } } } } } },
      opts: {},
      resource: undefined as any,
    };
    expect(() => transformation(args)).toThrow(
      'memguard memory limit policy (nightly): 2 problems:\n  - CronJob nightly, container "job": has no memory limit\n  - CronJob nightly, container "job": has no memory request');
  });

  test('GIVEN a component resource WHEN transformed THEN it is left alone', () => {
    const transformation = memguard.memoryLimitPolicy();
    expect(transformation({ type: 'memguard:index:RedisCache', name: 'r', props: {}, opts: {}, resource: undefined as any })).toBeUndefined();
  });
});
