import type { MemoryRemediationProps } from '../../src/cdk8s/memory-remediation';
import { expectValidManifests } from '../helpers/manifests';
import { asJson, expectRegisteredLikeCdk8s, installPulumiMocks, PulumiMocks, settle } from '../helpers/pulumi';

let mocks: PulumiMocks;
let pulumiModule: typeof import('../../src/pulumi/memory-remediation');
let cdk8sModule: typeof import('../../src/cdk8s/memory-remediation');

beforeAll(async () => {
  mocks = await installPulumiMocks();
  pulumiModule = await import('../../src/pulumi/memory-remediation');
  cdk8sModule = await import('../../src/cdk8s/memory-remediation');
});

beforeEach(() => mocks.reset());

describe('MemoryRemediation (Pulumi)', () => {
  test('GIVEN the same props WHEN registered THEN every resource equals the cdk8s synth, typed per kind', async () => {
    const props: MemoryRemediationProps = {
      namespace: 'ops',
      targetNamespaces: ['shop', 'erp'],
      escalation: { github: { repository: 'acme/shop', tokenSecret: { secretName: 'gh', key: 'token' } } },
    };
    const component = new pulumiModule.MemoryRemediation('remediation', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'remediation', (chart) => new cdk8sModule.MemoryRemediation(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(asJson(component.manifests)).toEqual(asJson(expected));
    expect(mocks.resources.filter((r) => r.type.startsWith('kubernetes:')).map((r) => r.type).sort()).toEqual([
      'kubernetes:batch/v1:CronJob',
      'kubernetes:core/v1:ConfigMap',
      'kubernetes:core/v1:ServiceAccount',
      'kubernetes:rbac.authorization.k8s.io/v1:Role',
      'kubernetes:rbac.authorization.k8s.io/v1:Role',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
    ]);
    expect(mocks.resources.find((r) => r.type === 'memguard:index:MemoryRemediation')?.name).toBe('remediation');
    expect(component.construct.config.namespaces).toEqual(['shop', 'erp']);
  });
});
