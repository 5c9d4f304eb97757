import { Chart, Testing } from 'cdk8s';
import { NamespaceGuardrails } from '../../src/cdk8s/namespace-guardrails';
import { Cpu, Memory } from '../../src/sizing/quantity';
import { expectValidManifests } from '../helpers/manifests';

function synth(build: (chart: Chart) => void, namespace: string | undefined = 'shop'): any[] {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  build(chart);
  const manifests = Testing.synth(chart);
  expectValidManifests(manifests);
  return manifests;
}

describe('NamespaceGuardrails', () => {
  test('GIVEN no props WHEN synthesized THEN one LimitRange with request == limit, a max, a min and ratio 1, and no quota', () => {
    const manifests = synth((chart) => new NamespaceGuardrails(chart, 'guardrails'));
    expect(manifests.map((m) => m.kind)).toEqual(['LimitRange']);
    expect(manifests[0].metadata.namespace).toBe('shop');
    expect(manifests[0].spec.limits).toEqual([{
      type: 'Container',
      default: { memory: '512Mi' },
      defaultRequest: { memory: '512Mi', cpu: '100m' },
      max: { memory: '8Gi' },
      min: { memory: '16Mi' },
      maxLimitRequestRatio: { memory: '1' },
    }]);
  });

  test('GIVEN an 8Gi budget, a CPU budget and a pod count WHEN synthesized THEN the quota and derived defaults match it', () => {
    const manifests = synth((chart) => new NamespaceGuardrails(chart, 'guardrails', {
      memoryBudget: Memory.parse('8Gi'), cpuBudget: Cpu.cores(4), quotaPods: 30, defaultCpuLimit: Cpu.cores(1),
    }));
    const quota = manifests.find((m) => m.kind === 'ResourceQuota');
    expect(quota.spec.hard).toEqual({ 'requests.memory': '8Gi', 'limits.memory': '8Gi', 'requests.cpu': '4', 'pods': 30 });
    const limits = manifests.find((m) => m.kind === 'LimitRange').spec.limits[0];
    expect(limits.default).toEqual({ memory: '512Mi', cpu: '1' });
    expect(limits.max).toEqual({ memory: '4Gi' });
  });

  test('GIVEN createNamespace WHEN synthesized THEN the Namespace enforces the restricted Pod Security profile and comes first', () => {
    const manifests = synth((chart) => new NamespaceGuardrails(chart, 'guardrails', { createNamespace: true, namespace: 'billing' }));
    expect(manifests[0]).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'billing', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.28' } },
    });
    expect(manifests[1].metadata.namespace).toBe('billing');
  });

  test('GIVEN no namespace anywhere WHEN constructed THEN it throws before emitting anything', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new NamespaceGuardrails(chart, 'g')).toThrow(
      'Invalid namespace undefined. Accepted: a namespace name (or a chart with a namespace).');
    expect(chart.toJson()).toEqual([]);
  });

  test('GIVEN inconsistent values WHEN constructed THEN it throws and the chart holds no half-made object', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    expect(() => new NamespaceGuardrails(chart, 'g', { memoryBudget: Memory.parse('1Gi'), maxMemory: Memory.parse('2Gi') })).toThrow(
      'Invalid maxMemory "2Gi": it is above memoryBudget 1Gi.');
    expect(chart.toJson()).toEqual([]);
  });

  test.each([
    ['Bad Name', '"Bad Name"'],
    ['', '""'],
    ['shop-', '"shop-"'],
    ['a'.repeat(64), `"${'a'.repeat(64)}"`],
  ])('GIVEN namespace %j WHEN constructed THEN it throws naming the DNS-1123 label rule and emits nothing', (namespace, shown) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    expect(() => new NamespaceGuardrails(chart, 'g', { namespace })).toThrow(
      `Invalid namespace ${shown}. Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and \"-\", starting and ending with a letter or digit.`);
    expect(chart.toJson()).toEqual([]);
  });

  test('GIVEN a 63-character namespace WHEN constructed THEN it is accepted', () => {
    const namespace = 'a'.repeat(63);
    const manifests = synth((chart) => new NamespaceGuardrails(chart, 'g', { namespace }));
    expect(manifests[0].metadata.namespace).toBe(namespace);
  });
});
