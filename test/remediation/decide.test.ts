import * as fc from 'fast-check';
import {
  aboveThreshold, cooldownRemainingSeconds, decide, deploymentNameFromReplicaSet, incidentReport, IncidentFacts, issueTitle,
  notApplicableReason, parseConfig, parseVector, quantityBytes, raiseLimitPatch, remediationPatch, rolloutOutageReason,
  selectorMatchesLabels, toContainerSamples, toEscalate, WorkloadMeasurement, workloadKey,
} from '../../src/remediation/decide';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const deployment = (name: string, ratio: number, lastRemediation?: string): WorkloadMeasurement => ({
  workload: { namespace: 'shop', kind: 'Deployment', name },
  samples: [{ namespace: 'shop', pod: `${name}-abc-1`, container: 'main', ratio }],
  ...(lastRemediation ? { lastRemediation } : {}),
});
const config = { actions: ['restart'] as const, cooldownSeconds: 1800, maxActionsPerRun: 3 };

describe('aboveThreshold', () => {
  test('GIVEN samples at, below and above 85% WHEN filtered THEN only the one strictly above remains, like the alert\'s ">"', () => {
    const samples = [
      { namespace: 'shop', pod: 'a', container: 'c', ratio: 0.85 },
      { namespace: 'shop', pod: 'b', container: 'c', ratio: 0.84 },
      { namespace: 'shop', pod: 'c', container: 'c', ratio: 0.8501 },
    ];
    expect(aboveThreshold(samples, 0.85, ['shop']).map((s) => s.pod)).toEqual(['c']);
  });

  test('GIVEN a sample from a namespace that is not a target WHEN filtered THEN it is ignored', () => {
    expect(aboveThreshold([{ namespace: 'kube-system', pod: 'a', container: 'c', ratio: 0.99 }], 0.85, ['shop'])).toEqual([]);
  });
});

describe('deploymentNameFromReplicaSet', () => {
  test('GIVEN ReplicaSet "web-5d8f7c9b4" and the pod\'s pod-template-hash "5d8f7c9b4" THEN the Deployment is "web"', () => {
    expect(deploymentNameFromReplicaSet('web-5d8f7c9b4', { 'app': 'web', 'pod-template-hash': '5d8f7c9b4' })).toEqual({ name: 'web' });
  });

  test('GIVEN a Deployment name with dashes THEN only the hash suffix is removed', () => {
    expect(deploymentNameFromReplicaSet('odoo-web-frontend-77', { 'pod-template-hash': '77' })).toEqual({ name: 'odoo-web-frontend' });
  });

  test('GIVEN a pod without the label THEN it says the ReplicaSet cannot be traced to a Deployment', () => {
    const expected = { error: 'the pod has no "pod-template-hash" label, so ReplicaSet "web-5d8" cannot be traced to a Deployment' };
    expect(deploymentNameFromReplicaSet('web-5d8', { app: 'web' })).toEqual(expected);
    expect(deploymentNameFromReplicaSet('web-5d8', undefined)).toEqual(expected);
    expect(deploymentNameFromReplicaSet('web-5d8', { 'pod-template-hash': '' })).toEqual(expected);
  });

  test.each([
    ['a different hash', 'web-5d8', 'abc', 'ReplicaSet "web-5d8" is not named "<deployment>-abc" after the pod\'s pod-template-hash "abc"'],
    ['the hash without its dash', 'web5d8', '5d8', 'ReplicaSet "web5d8" is not named "<deployment>-5d8" after the pod\'s pod-template-hash "5d8"'],
    ['nothing before the hash', '-5d8', '5d8', 'ReplicaSet "-5d8" is not named "<deployment>-5d8" after the pod\'s pod-template-hash "5d8"'],
  ])('GIVEN a ReplicaSet name with %s THEN it refuses with the whole reason', (_what, replicaSet, hash, error) => {
    expect(deploymentNameFromReplicaSet(replicaSet, { 'pod-template-hash': hash })).toEqual({ error });
  });

  test('GIVEN any Deployment name and hash WHEN the controller\'s ReplicaSet name is split THEN the Deployment name comes back', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    const hash = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(fc.property(label, hash, (name, h) => {
      expect(deploymentNameFromReplicaSet(`${name}-${h}`, { 'pod-template-hash': h })).toEqual({ name });
    }));
  });
});

describe('selectorMatchesLabels', () => {
  const pod = { 'app': 'web', 'tier': 'frontend', 'pod-template-hash': '5d8' };

  test('GIVEN matchLabels that are a subset of the pod\'s labels THEN it selects the pod; one different value THEN not', () => {
    expect(selectorMatchesLabels({ matchLabels: { app: 'web' } }, pod)).toBe(true);
    expect(selectorMatchesLabels({ matchLabels: { app: 'web', tier: 'backend' } }, pod)).toBe(false);
    expect(selectorMatchesLabels({ matchLabels: { release: 'a' } }, pod)).toBe(false);
  });

  test.each([
    ['In', { key: 'tier', operator: 'In', values: ['frontend', 'edge'] }, true],
    ['In, value not listed', { key: 'tier', operator: 'In', values: ['backend'] }, false],
    ['In, label absent', { key: 'release', operator: 'In', values: ['a'] }, false],
    ['NotIn', { key: 'tier', operator: 'NotIn', values: ['backend'] }, true],
    ['NotIn, value listed', { key: 'tier', operator: 'NotIn', values: ['frontend'] }, false],
    ['NotIn, label absent', { key: 'release', operator: 'NotIn', values: ['a'] }, true],
    ['Exists', { key: 'app', operator: 'Exists' }, true],
    ['Exists, label absent', { key: 'release', operator: 'Exists' }, false],
    ['DoesNotExist', { key: 'release', operator: 'DoesNotExist' }, true],
    ['DoesNotExist, label present', { key: 'app', operator: 'DoesNotExist' }, false],
    ['an unknown operator', { key: 'app', operator: 'Gt', values: ['1'] }, false],
  ])('GIVEN matchLabels app=web and the expression %s THEN the result is %s', (_what, expression, expected) => {
    expect(selectorMatchesLabels({ matchLabels: { app: 'web' }, matchExpressions: [expression] }, pod)).toBe(expected);
  });

  test('GIVEN a missing or empty selector THEN it selects nothing (the program never acts on a guess)', () => {
    expect(selectorMatchesLabels(undefined, pod)).toBe(false);
    expect(selectorMatchesLabels({}, pod)).toBe(false);
    expect(selectorMatchesLabels({ matchLabels: {}, matchExpressions: [] }, pod)).toBe(false);
  });

  test('GIVEN a pod without labels THEN a selector on app does not select it', () => {
    expect(selectorMatchesLabels({ matchLabels: { app: 'web' } }, undefined)).toBe(false);
  });
});

describe('cooldownRemainingSeconds', () => {
  test('GIVEN a remediation 10 minutes ago and a 30 minute cooldown THEN 1200 s remain', () => {
    expect(cooldownRemainingSeconds('2025-03-01T11:50:00.000Z', NOW, 1800)).toBe(1200);
  });
  test('GIVEN a remediation exactly one cooldown ago THEN none remains', () => {
    expect(cooldownRemainingSeconds('2025-03-01T11:30:00.000Z', NOW, 1800)).toBe(0);
  });
  test('GIVEN no annotation or an unreadable one THEN none remains', () => {
    expect(cooldownRemainingSeconds(undefined, NOW, 1800)).toBe(0);
    expect(cooldownRemainingSeconds('yesterday', NOW, 1800)).toBe(0);
  });
});

describe('decide', () => {
  test('GIVEN two workloads WHEN deciding THEN the worse one comes first and both are restarted', () => {
    const decisions = decide([deployment('web', 0.9), deployment('api', 0.97)], config, NOW);
    expect(decisions.map((d) => [d.workload.name, d.disposition, d.actions])).toEqual([
      ['api', 'remediate', ['restart']],
      ['web', 'remediate', ['restart']],
    ]);
    expect(decisions[0].peakRatio).toBe(0.97);
  });

  test('GIVEN equal peaks WHEN deciding THEN the order is by workload key, so runs are repeatable', () => {
    const decisions = decide([deployment('b', 0.9), deployment('a', 0.9)], config, NOW);
    expect(decisions.map((d) => d.workload.name)).toEqual(['a', 'b']);
  });

  test('GIVEN a workload remediated 10 minutes ago WHEN deciding THEN it is in cooldown with no action and its end time', () => {
    const [d] = decide([deployment('web', 0.95, '2025-03-01T11:50:00.000Z')], config, NOW);
    expect(d).toEqual({
      workload: { namespace: 'shop', kind: 'Deployment', name: 'web' },
      peakRatio: 0.95,
      disposition: 'cooldown',
      actions: [],
      skippedActions: ['restart'],
      notApplicable: [],
      cooldownUntil: '2025-03-01T12:20:00.000Z',
    });
  });

  test('GIVEN a budget of 2 actions and three workloads WHEN deciding THEN the two worst are remediated and the third deferred', () => {
    const decisions = decide([deployment('a', 0.9), deployment('b', 0.95), deployment('c', 0.99)], { ...config, maxActionsPerRun: 2 }, NOW);
    expect(decisions.map((d) => [d.workload.name, d.disposition, d.actions, d.skippedActions])).toEqual([
      ['c', 'remediate', ['restart'], []],
      ['b', 'remediate', ['restart'], []],
      ['a', 'deferred', [], ['restart']],
    ]);
  });

  const redis = { host: 'cache.shop.svc', port: 6379, passwordFromEnv: false, workload: { namespace: 'shop', kind: 'Deployment' as const, name: 'cache' } };

  test('GIVEN flush-redis then restart WHEN the cache and PostgreSQL are high THEN only the cache is flushed; PostgreSQL is only restarted', () => {
    const decisions = decide([deployment('cache', 0.9), deployment('postgres', 0.95)],
      { actions: ['flush-redis', 'restart'], cooldownSeconds: 0, maxActionsPerRun: 3, redis }, NOW);
    expect(decisions.map((d) => [d.workload.name, d.disposition, d.actions, d.notApplicable])).toEqual([
      ['postgres', 'remediate', ['restart'], [{
        action: 'flush-redis',
        reason: 'the Redis cache belongs to shop/Deployment/cache; flushing it frees no memory in this workload',
      }]],
      ['cache', 'remediate', ['flush-redis', 'restart'], []],
    ]);
  });

  test('GIVEN only flush-redis WHEN Odoo alone is high THEN it is skipped (no action, no budget spent) and escalates if still high', () => {
    const decisions = decide([deployment('odoo', 0.95)], { actions: ['flush-redis'], cooldownSeconds: 0, maxActionsPerRun: 1, redis }, NOW);
    expect(decisions.map((d) => [d.disposition, d.actions, d.skippedActions, d.notApplicable.map((n) => n.action)])).toEqual([
      ['skipped', [], [], ['flush-redis']],
    ]);
    expect(toEscalate(decisions, new Set(['shop/Deployment/odoo'])).map((d) => d.workload.name)).toEqual(['odoo']);
  });

  test('GIVEN a budget of 1 WHEN a non-cache workload is worse than the cache THEN its inapplicable flush spends no budget', () => {
    const decisions = decide([deployment('cache', 0.9), deployment('odoo', 0.99)], { actions: ['flush-redis'], cooldownSeconds: 0, maxActionsPerRun: 1, redis }, NOW);
    expect(decisions.map((d) => [d.workload.name, d.disposition, d.actions])).toEqual([['odoo', 'skipped', []], ['cache', 'remediate', ['flush-redis']]]);
  });

  test('GIVEN a single-replica workload WHEN deciding THEN restart and raise-limit are not applicable unless restartSingleReplica', () => {
    const single: WorkloadMeasurement = { ...deployment('postgres', 0.95), rolloutOutage: '1 ready of 1 replicas: a rollout leaves nothing serving' };
    const options = { actions: ['restart', 'raise-limit'] as const, cooldownSeconds: 0, maxActionsPerRun: 3 };
    const [skipped] = decide([single], options, NOW);
    expect(skipped).toMatchObject({ disposition: 'skipped', actions: [], skippedActions: [] });
    expect(skipped.notApplicable).toEqual(['restart', 'raise-limit'].map((action) => ({
      action,
      reason: '1 ready of 1 replicas: a rollout leaves nothing serving (set restartSingleReplica to accept the outage)',
    })));
    const [allowed] = decide([single], { ...options, restartSingleReplica: true }, NOW);
    expect([allowed.disposition, allowed.actions, allowed.notApplicable]).toEqual(['remediate', ['restart', 'raise-limit'], []]);
  });

  test('GIVEN a single-replica cache WHEN deciding THEN the flush runs and only the restart is left out', () => {
    const cache: WorkloadMeasurement = { ...deployment('cache', 0.95), rolloutOutage: '1 ready of 1 replicas: a rollout leaves nothing serving' };
    const [d] = decide([cache], { actions: ['flush-redis', 'restart'], cooldownSeconds: 0, maxActionsPerRun: 3, redis }, NOW);
    expect([d.disposition, d.actions, d.notApplicable.map((n) => n.action)]).toEqual(['remediate', ['flush-redis'], ['restart']]);
  });

  test('GIVEN flush-redis and no Redis in the config THEN notApplicableReason says so', () => {
    expect(notApplicableReason('flush-redis', deployment('cache', 0.9), {})).toBe('no Redis is configured');
    expect(notApplicableReason('flush-redis', deployment('cache', 0.9), { redis })).toBeUndefined();
    expect(notApplicableReason('restart', deployment('web', 0.9), {})).toBeUndefined();
  });

  test('GIVEN a budget of 1 and actions restart, raise-limit WHEN one workload is high THEN it restarts and raise-limit is skipped', () => {
    const [d] = decide([deployment('a', 0.9)], { actions: ['restart', 'raise-limit'], cooldownSeconds: 0, maxActionsPerRun: 1 }, NOW);
    expect([d.disposition, d.actions, d.skippedActions]).toEqual(['remediate', ['restart'], ['raise-limit']]);
  });

  test('GIVEN a budget of 0 WHEN a workload is high THEN it is deferred', () => {
    expect(decide([deployment('a', 0.9)], { ...config, maxActionsPerRun: 0 }, NOW)[0].disposition).toBe('deferred');
  });

  test('property: never more actions than the budget (Redis re-flushes excepted), and in-cooldown workloads never act', () => {
    fc.assert(fc.property(
      fc.array(fc.record({
        ratio: fc.double({ min: 0.86, max: 2, noNaN: true }),
        minutesAgo: fc.option(fc.integer({ min: 0, max: 120 })),
      }), { maxLength: 12 }),
      fc.integer({ min: 0, max: 6 }),
      (items, budget) => {
        const measurements = items.map((it, i) => deployment(`w${i}`, it.ratio,
          it.minutesAgo === null ? undefined : new Date(NOW.getTime() - it.minutesAgo * 60_000).toISOString()));
        const decisions = decide(measurements, { actions: ['restart', 'raise-limit'], cooldownSeconds: 1800, maxActionsPerRun: budget }, NOW);
        const spent = decisions.reduce((n, d) => n + d.actions.length, 0);
        expect(spent).toBeLessThanOrEqual(budget);
        for (const d of decisions.filter((x) => x.disposition === 'cooldown')) expect(d.actions).toEqual([]);
        const peaks = decisions.map((d) => d.peakRatio);
        expect(peaks).toEqual([...peaks].sort((a, b) => b - a));
      },
    ));
  });
});

describe('rolloutOutageReason', () => {
  const ready = (replicas: number, readyReplicas = replicas) => ({ spec: { replicas }, status: { readyReplicas } });

  test.each([
    ['2 ready replicas, default strategy', 'Deployment', ready(2), undefined],
    ['3 ready replicas, RollingUpdate maxUnavailable 1', 'Deployment', { ...ready(3), spec: { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } }, undefined],
    ['a 2-replica StatefulSet', 'StatefulSet', ready(2), undefined],
    ['1 replica', 'Deployment', ready(1), '1 ready of 1 replicas: a rollout leaves nothing serving'],
    ['no spec.replicas and no status (API defaults 1 and 0)', 'Deployment', {}, '0 ready of 1 replicas: a rollout leaves nothing serving'],
    ['3 replicas of which 1 ready', 'Deployment', ready(3, 1), '1 ready of 3 replicas: a rollout leaves nothing serving'],
    ['the PostgreSQL StatefulSet of 1 replica', 'StatefulSet', ready(1), '1 ready of 1 replicas: a rollout leaves nothing serving'],
    ['Recreate (Odoo)', 'Deployment', { ...ready(3), spec: { replicas: 3, strategy: { type: 'Recreate' } } },
      'Deployment strategy Recreate stops every pod before starting new ones'],
    ['a StatefulSet with OnDelete', 'StatefulSet', { ...ready(3), spec: { replicas: 3, updateStrategy: { type: 'OnDelete' } } },
      'StatefulSet updateStrategy OnDelete restarts no pod on a template change'],
    ['maxUnavailable 100%', 'Deployment', { ...ready(2), spec: { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } } } },
      'maxUnavailable "100%" lets the rollout stop all 2 replicas at once'],
    ['maxUnavailable 2 of 2', 'Deployment', { ...ready(2), spec: { replicas: 2, strategy: { rollingUpdate: { maxUnavailable: 2 } } } },
      'maxUnavailable 2 lets the rollout stop all 2 replicas at once'],
    ['maxUnavailable 50% of 2 (rounded down to 1)', 'Deployment', { ...ready(2), spec: { replicas: 2, strategy: { rollingUpdate: { maxUnavailable: '50%' } } } }, undefined],
    ['maxSurge 0 and maxUnavailable 0 (the controller makes it 1)', 'Deployment',
      { ...ready(2), spec: { replicas: 2, strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } }, undefined],
  ])('GIVEN %s THEN %j', (_what, kind, object, reason) => {
    expect(rolloutOutageReason(kind as 'Deployment' | 'StatefulSet', object)).toBe(reason);
  });
});

describe('toEscalate', () => {
  test('GIVEN remediated, cooldown and deferred workloads all still high THEN the deferred one is not escalated', () => {
    const decisions = decide([deployment('a', 0.9), deployment('b', 0.95, '2025-03-01T11:59:00.000Z'), deployment('c', 0.99)],
      { ...config, maxActionsPerRun: 1 }, NOW);
    const still = new Set(decisions.map((d) => workloadKey(d.workload)));
    expect(toEscalate(decisions, still).map((d) => d.workload.name)).toEqual(['c', 'b']);
  });

  test('GIVEN a remediated workload back below the threshold THEN it is not escalated', () => {
    expect(toEscalate(decide([deployment('a', 0.9)], config, NOW), new Set())).toEqual([]);
  });
});

describe('remediationPatch', () => {
  test('GIVEN restart WHEN patching THEN the pod template gets restartedAt and the workload the cooldown annotations', () => {
    expect(remediationPatch(['flush-redis', 'restart'], NOW)).toEqual({
      metadata: { annotations: { 'memguard.io/last-remediation': '2025-03-01T12:00:00.000Z', 'memguard.io/last-remediation-actions': 'flush-redis,restart' } },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-03-01T12:00:00.000Z' } } } },
    });
  });

  test('GIVEN only flush-redis WHEN patching THEN only the cooldown annotations change (no rollout)', () => {
    expect(remediationPatch(['flush-redis'], NOW)).toEqual({
      metadata: { annotations: { 'memguard.io/last-remediation': '2025-03-01T12:00:00.000Z', 'memguard.io/last-remediation-actions': 'flush-redis' } },
    });
  });
});

describe('quantityBytes and raiseLimitPatch', () => {
  test.each([
    ['512Mi', 536870912], ['1Gi', 1073741824], ['1G', 1e9], ['1.5Gi', 1610612736], ['100k', 1e5], ['1e3', 1000], ['128974848', 128974848],
  ])('%s is %d bytes', (q, bytes) => expect(quantityBytes(q)).toBe(bytes));

  test.each(['', 'lots', '1ki', '-1Gi', '1 Gi'])('%j is not a quantity', (q) => expect(quantityBytes(q)).toBeUndefined());

  test('GIVEN a 512Mi limit equal to its request and factor 1.5 THEN both become 768Mi; a sidecar is left alone', () => {
    const result = raiseLimitPatch([
      { name: 'main', resources: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } } },
      { name: 'sidecar', resources: { limits: { memory: '64Mi' } } },
    ], ['main'], 1.5);
    expect(result).toEqual({
      patch: { spec: { template: { spec: { containers: [{ name: 'main', resources: { limits: { memory: '768Mi' }, requests: { memory: '768Mi' } } }] } } } },
      changes: [{ container: 'main', from: '512Mi', to: '768Mi' }],
    });
  });

  test('GIVEN a request below the limit THEN only the limit is raised, rounded up to whole MiB', () => {
    const result = raiseLimitPatch([{ name: 'main', resources: { limits: { memory: '1G' }, requests: { memory: '256Mi' } } }], ['main'], 1.2);
    expect(result.changes).toEqual([{ container: 'main', from: '1G', to: '1145Mi' }]);
  });
});

describe('parseVector', () => {
  const ok = (result: unknown[]) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });

  test('GIVEN a vector WHEN parsed THEN labels and numbers come back and unlabelled series are dropped as samples', () => {
    const vector = parseVector(ok([
      { metric: { namespace: 'shop', pod: 'web-1', container: 'main' }, value: [1700000000, '0.91'] },
      { metric: {}, value: [1700000000, '0.99'] },
    ]));
    expect(vector).toEqual([
      { metric: { namespace: 'shop', pod: 'web-1', container: 'main' }, value: 0.91 },
      { metric: {}, value: 0.99 },
    ]);
    expect(toContainerSamples(vector)).toEqual([{ namespace: 'shop', pod: 'web-1', container: 'main', ratio: 0.91 }]);
  });

  test.each([
    ['<html>', 'Prometheus answer is not JSON: "<html>"'],
    ['[1]', 'Prometheus answer is not a JSON object'],
    ['null', 'Prometheus answer is not a JSON object'],
    ['{"status":"error","error":"parse error"}', 'Prometheus query failed: status "error", error "parse error"'],
    ['{"status":"success","data":{"resultType":"matrix","result":[]}}', 'Prometheus answer is not an instant vector: resultType "matrix"'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}', 'Prometheus result 0 is not {metric, value: [time, "number"]}'],
    ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}', 'Prometheus result 0 has a non-numeric value "x"'],
  ])('GIVEN %s THEN it throws %j', (body, message) => {
    expect(() => parseVector(body)).toThrow(message);
  });
});

describe('parseConfig', () => {
  const valid = {
    prometheusUrl: 'http://prom:9090/',
    ratioQuery: 'ratio',
    thresholdRatio: 0.85,
    namespaces: ['shop'],
    actions: ['restart'],
    cooldownSeconds: 1800,
    maxActionsPerRun: 3,
    waitSeconds: 30,
    dryRun: false,
    kubernetes: { apiUrl: 'https://kubernetes.default.svc', tokenPath: '/t' },
    diagnostics: { peakQuery: 'a', minutesAboveQuery: 'b', growthQuery: 'c', oomKillsQuery: 'd', nodePressureQuery: 'e' },
  };

  test('GIVEN a valid config THEN it is returned with the trailing slash trimmed and the default timeout', () => {
    const parsed = parseConfig(JSON.stringify(valid));
    expect(parsed.prometheusUrl).toBe('http://prom:9090');
    expect(parsed.requestTimeoutSeconds).toBe(10);
    expect(parsed.restartSingleReplica).toBe(false);
  });

  test('GIVEN a Redis target with its workload and restartSingleReplica WHEN parsed THEN both come back', () => {
    const redis = { host: 'cache', port: 6379, passwordFromEnv: true, workload: { namespace: 'shop', kind: 'Deployment', name: 'cache' } };
    const parsed = parseConfig(JSON.stringify({ ...valid, actions: ['flush-redis'], redis, restartSingleReplica: true }));
    expect(parsed.redis).toEqual(redis);
    expect(parsed.restartSingleReplica).toBe(true);
  });

  test.each([
    [{ prometheusUrl: 'prom:9090' }, 'Invalid prometheusUrl "prom:9090". Accepted: an http:// or https:// URL.'],
    [{ actions: ['reboot'] }, 'Invalid actions ["reboot"]. Accepted: a list of distinct actions among restart, flush-redis, raise-limit.'],
    [{ actions: ['flush-redis'] }, 'Invalid redis undefined. Accepted: a Redis target when actions include "flush-redis".'],
    [{ actions: ['raise-limit'] }, 'Invalid raiseLimit undefined. Accepted: a factor when actions include "raise-limit".'],
    [{ thresholdRatio: 85 }, 'Invalid thresholdRatio 85. Accepted: a number from 0.01 to 1.'],
    [{ maxActionsPerRun: 1.5 }, 'Invalid maxActionsPerRun 1.5. Accepted: a whole number from 0 to 1000.'],
    [{ dryRun: 'yes' }, 'Invalid dryRun "yes". Accepted: true or false.'],
    [{ namespaces: [] }, 'Invalid namespaces []. Accepted: a non-empty list of namespace names.'],
    [{ escalation: { kind: 'email' } }, 'Invalid escalation.kind "email". Accepted: "github" or "webhook".'],
    [{ actions: ['flush-redis'], redis: { host: 'cache', port: 6379 } },
      'Invalid redis.workload undefined. Accepted: the cache\'s workload { namespace, kind, name }.'],
    [{ redis: { host: 'cache', port: 6379, workload: { namespace: 'shop', kind: 'DaemonSet', name: 'cache' } } },
      'Invalid redis.workload.kind "DaemonSet". Accepted: "Deployment" or "StatefulSet".'],
    [{ restartSingleReplica: 'yes' }, 'Invalid restartSingleReplica "yes". Accepted: true or false.'],
  ])('GIVEN %j THEN it throws the whole message', (override, message) => {
    expect(() => parseConfig(JSON.stringify({ ...valid, ...override }))).toThrow(message);
  });

  test('GIVEN text that is not JSON THEN it says so', () => {
    expect(() => parseConfig('{')).toThrow(/^Invalid config: not JSON/);
  });
});

describe('incidentReport', () => {
  const facts: IncidentFacts = {
    workload: { namespace: 'shop', kind: 'Deployment', name: 'web' },
    now: NOW,
    thresholdRatio: 0.85,
    before: [{ namespace: 'shop', pod: 'web-1', container: 'main', ratio: 0.93 }],
    after: [{ namespace: 'shop', pod: 'web-2', container: 'main', ratio: 0.91 }],
    peakRatio: 0.97,
    minutesAbove: 42,
    growthBytesPerSecond: 2 ** 20 / 60,
    oomKilledContainers: ['web-0/main'],
    pressuredNodes: ['node-a'],
    actions: [{ action: 'restart', at: '2025-03-01T11:59:00.000Z', outcome: 'done', detail: 'rollout restart (restartedAt annotation)' }],
  };

  test('GIVEN the facts THEN the report has date, workload, peak, duration, actions, causes and checkboxes', () => {
    const report = incidentReport(facts);
    expect(report).toContain('- **Date:** 2025-03-01T12:00:00.000Z');
    expect(report).toContain('- **Workload:** `shop/Deployment/web`');
    expect(report).toContain('- **Peak memory:** 97.0% of the limit (threshold 85.0%)');
    expect(report).toContain('- **Duration so far:** about 42 minutes above the threshold in the last 6 hours');
    expect(report).toContain('| web-1 | main | 93.0% |');
    expect(report).toContain('- 2025-03-01T11:59:00.000Z `restart`: done (rollout restart (restartedAt annotation))');
    expect(report).toContain('Effect: the peak went from 93.0% to 91.0%: still above the threshold.');
    expect(report).toContain('- Leak trend: the working set grew by 60.0 MiB/hour over the last hour.');
    expect(report).toContain('- OOM kills: last termination OOMKilled for web-0/main.');
    expect(report).toContain('- Node memory pressure on node-a.');
    expect(report).toContain('- [ ] Turn incident mode off again and remove any temporary limit bump');
  });

  test('GIVEN no diagnostics and no action THEN it says why and names the limit as the suspect', () => {
    const report = incidentReport({
      ...facts,
      peakRatio: undefined,
      minutesAbove: undefined,
      growthBytesPerSecond: undefined,
      oomKilledContainers: [],
      pressuredNodes: [],
      actions: [],
      noActionReason: 'in cooldown until 2025-03-01T12:20:00.000Z',
    });
    expect(report).toContain('- **Duration so far:** unknown');
    expect(report).toContain('- None: in cooldown until 2025-03-01T12:20:00.000Z.');
    expect(report).toContain('- No leak trend, OOM kill or node pressure seen: the limit may simply be too small for the load.');
  });

  test('GIVEN actions that did not apply THEN the report lists them with the reason after what ran', () => {
    const notApplicable = [{ action: 'raise-limit' as const, reason: 'Deployment strategy Recreate stops every pod before starting new ones' }];
    const report = incidentReport({ ...facts, notApplicable });
    expect(report).toContain([
      '- 2025-03-01T11:59:00.000Z `restart`: done (rollout restart (restartedAt annotation))',
      '- `raise-limit`: not run: Deployment strategy Recreate stops every pod before starting new ones.',
    ].join('\n'));
    const none = incidentReport({ ...facts, actions: [], notApplicable });
    expect(none).not.toContain('- None:');
    expect(none).toContain('### Actions taken and their effect\n\n- `raise-limit`: not run: Deployment strategy Recreate');
  });

  test('the issue title is the stable duplicate marker', () => {
    expect(issueTitle(facts.workload)).toBe('[memguard] Memory near limit: shop/Deployment/web');
  });
});
