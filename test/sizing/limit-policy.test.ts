import * as fc from 'fast-check';
import { applyMemoryLimitPolicy, describeViolation, podSpecOf } from '../../src/sizing/limit-policy';
import { Memory } from '../../src/sizing/quantity';

function deployment(containers: any[], initContainers?: any[]): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { containers, ...(initContainers ? { initContainers } : {}) } } },
  };
}

describe('applyMemoryLimitPolicy', () => {
  test('GIVEN a container without memory settings WHEN filled THEN it gets the default limit and request == limit', () => {
    const { object, violations } = applyMemoryLimitPolicy(deployment([{ name: 'app', image: 'a' }]));
    expect(violations).toEqual([]);
    expect(object.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '512Mi' }, requests: { memory: '512Mi' } });
  });

  test('GIVEN the input WHEN filled THEN the input object is not changed', () => {
    const input = deployment([{ name: 'app', image: 'a', resources: { limits: { cpu: '1' } } }]);
    const before = JSON.stringify(input);
    applyMemoryLimitPolicy(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  test('GIVEN a request but no limit WHEN filled THEN the limit is the larger of request and default (never below the request)', () => {
    const { object } = applyMemoryLimitPolicy(deployment([{ name: 'app', image: 'a', resources: { requests: { memory: '3Gi' } } }]));
    expect(object.spec.template.spec.containers[0].resources).toEqual({ requests: { memory: '3Gi' }, limits: { memory: '3Gi' } });
  });

  test('GIVEN a limit but no request WHEN filled with a default request THEN the request is the default, capped at the limit', () => {
    const options = { defaultRequest: Memory.parse('256Mi') };
    const small = applyMemoryLimitPolicy(deployment([{ name: 'a', resources: { limits: { memory: '128Mi' } } }]), options).object;
    expect(small.spec.template.spec.containers[0].resources.requests).toEqual({ memory: '128Mi' });
    const large = applyMemoryLimitPolicy(deployment([{ name: 'a', resources: { limits: { memory: '1Gi', cpu: '2' } } }]), options).object;
    expect(large.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '1Gi', cpu: '2' }, requests: { memory: '256Mi' } });
  });

  test('GIVEN raiseRequestsToLimits WHEN filled THEN a lower request is raised and the limit spelling kept', () => {
    const { object } = applyMemoryLimitPolicy(
      deployment([{ name: 'a', resources: { limits: { memory: '2048Mi' }, requests: { memory: '512Mi', cpu: '100m' } } }]),
      { raiseRequestsToLimits: true });
    expect(object.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '2048Mi' }, requests: { memory: '2Gi', cpu: '100m' } });
  });

  test('GIVEN init containers and a CronJob WHEN filled THEN every container is covered', () => {
    const cronJob = {
      kind: 'CronJob',
      metadata: { name: 'report' },
      spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'main' }] } } } } },
    };
    const { object } = applyMemoryLimitPolicy(cronJob, { defaultLimit: Memory.parse('128Mi') });
    const spec = podSpecOf(object);
    expect(spec.initContainers[0].resources.limits.memory).toBe('128Mi');
    expect(spec.containers[0].resources.requests.memory).toBe('128Mi');
  });

  test.each(['Pod', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'])('GIVEN a %s WHEN filled THEN its containers get limits', (kind) => {
    const object = kind === 'Pod'
      ? { kind, metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }
      : { kind, metadata: { name: 'p' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } };
    expect(podSpecOf(applyMemoryLimitPolicy(object).object).containers[0].resources.limits.memory).toBe('512Mi');
  });

  test('GIVEN a non-workload WHEN filled THEN it passes through unchanged', () => {
    const configMap = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(applyMemoryLimitPolicy(configMap)).toEqual({ object: configMap, violations: [] });
  });

  test('GIVEN an excluded workload WHEN filled THEN it is left alone', () => {
    const input = deployment([{ name: 'a' }]);
    expect(applyMemoryLimitPolicy(input, { exclude: ['Deployment/web'] }).object).toBe(input);
    expect(applyMemoryLimitPolicy(input, { exclude: ['Deployment/*'] }).object).toBe(input);
    expect(applyMemoryLimitPolicy(input, { exclude: ['Deployment/other'] }).object).not.toBe(input);
  });

  test('GIVEN enforce mode WHEN containers break the policy THEN each is reported and nothing changes', () => {
    const input = deployment(
      [{ name: 'app' }, { name: 'sidecar', resources: { limits: { memory: '1Gi' }, requests: { memory: '512Mi' } } }],
      [{ name: 'migrate', resources: { limits: { memory: '1Gi' } } }]);
    const { object, violations } = applyMemoryLimitPolicy(input, { mode: 'enforce', raiseRequestsToLimits: true });
    expect(object).toBe(input);
    expect(violations.map(describeViolation)).toEqual([
      'Deployment shop/web, init container "migrate": has no memory request',
      'Deployment shop/web, container "app": has no memory limit',
      'Deployment shop/web, container "app": has no memory request',
      'Deployment shop/web, container "sidecar": memory request 512Mi is below its limit 1Gi (the policy requires request == limit)',
    ]);
  });

  test('GIVEN a request above its limit WHEN filled THEN it is reported, not silently changed', () => {
    const { violations } = applyMemoryLimitPolicy(deployment([{ name: 'a', resources: { limits: { memory: '1Gi' }, requests: { memory: '2Gi' } } }]));
    expect(violations.map(describeViolation)).toEqual(['Deployment shop/web, container "a": memory request 2Gi is above its limit 1Gi']);
  });

  test('GIVEN an unparseable quantity WHEN filled THEN it is reported', () => {
    const { violations } = applyMemoryLimitPolicy(deployment([{ name: 'a', resources: { limits: { memory: 'lots' } } }]));
    expect(violations.map(describeViolation)).toEqual(['Deployment shop/web, container "a": memory limit "lots" is not a valid quantity']);
  });

  test('GIVEN bad options WHEN applied THEN they are rejected before anything is touched', () => {
    expect(() => applyMemoryLimitPolicy(deployment([]), { mode: 'patch' as any })).toThrow('Invalid mode "patch". Accepted: one of "fill", "enforce".');
    expect(() => applyMemoryLimitPolicy(deployment([]), { defaultLimit: Memory.parse('256Mi'), defaultRequest: Memory.parse('1Gi') })).toThrow(
      'Invalid defaultRequest "1Gi": it is above defaultLimit 256Mi. Accepted: at most defaultLimit (256Mi).');
    expect(() => applyMemoryLimitPolicy(deployment([]), { exclude: ['web'] })).toThrow('Invalid exclude "web". Accepted: entries of the form Kind/name or Kind/*.');
  });

  test('GIVEN incident mode for one workload WHEN filled THEN its limits and equal requests are bumped and it is marked', () => {
    const input = deployment([{ name: 'a', resources: { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } } }, { name: 'b', resources: { limits: { memory: '1Gi' }, requests: { memory: '512Mi' } } }]);
    const { object } = applyMemoryLimitPolicy(input, { incidentMode: { workloads: ['Deployment/web'], since: '2026-11-23', reason: 'INC-7', limitFactor: 2 } });
    const [a, b] = object.spec.template.spec.containers;
    expect(a.resources).toEqual({ limits: { memory: '2Gi' }, requests: { memory: '2Gi' } });
    expect(b.resources).toEqual({ limits: { memory: '2Gi' }, requests: { memory: '512Mi' } });
    const marks = { 'memguard.io/incident-mode': 'since 2026-11-23: INC-7', 'memguard.io/incident-limit-factor': '2' };
    expect(object.metadata.annotations).toEqual(marks);
    expect(object.spec.template.metadata.annotations).toEqual(marks);
    const other = applyMemoryLimitPolicy({ ...input, metadata: { name: 'api' } }, { incidentMode: { workloads: ['Deployment/web'], since: '2026-11-23' } }).object;
    expect(other.spec.template.spec.containers[0].resources.limits.memory).toBe('1Gi');
    expect(other.metadata.annotations).toBeUndefined();
  });

  test('GIVEN bad incident options WHEN applied THEN they are rejected by name', () => {
    expect(() => applyMemoryLimitPolicy(deployment([]), { incidentMode: { workloads: ['web'], since: '2026-11-23' } })).toThrow(
      'Invalid incidentMode.workloads "web". Accepted: entries of the form Kind/name.');
    expect(() => applyMemoryLimitPolicy(deployment([]), { incidentMode: { workloads: [], since: '2026-11-23', limitFactor: 4 } })).toThrow(
      'Invalid incidentMode.limitFactor 4. Accepted: a number from 1 to 3.');
    expect(() => applyMemoryLimitPolicy(deployment([]), { incidentMode: { workloads: [], since: 'now' } })).toThrow('Invalid incidentMode.since "now".');
  });

  test('PROPERTY: after fill, every container has request <= limit, and enforce then finds nothing', () => {
    const quantity = fc.option(fc.integer({ min: 1, max: 4096 }).map((n) => `${n}Mi`), { nil: undefined });
    fc.assert(fc.property(fc.array(fc.tuple(quantity, quantity), { minLength: 1, maxLength: 4 }), (pairs) => {
      const containers = pairs.map(([limit, request], i) => ({
        name: `c${i}`,
        resources: { ...(limit ? { limits: { memory: limit } } : {}), ...(request ? { requests: { memory: request } } : {}) },
      }));
      const { object, violations } = applyMemoryLimitPolicy(deployment(containers));
      const broken = pairs.filter(([l, r]) => l && r && Memory.parse(r).isGreaterThan(Memory.parse(l))).length;
      expect(violations).toHaveLength(broken);
      if (broken === 0) {
        expect(applyMemoryLimitPolicy(object, { mode: 'enforce' }).violations).toEqual([]);
      }
    }));
  });
});
