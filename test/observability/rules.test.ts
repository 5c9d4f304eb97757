import { resolveMemoryAlertsConfig } from '../../src/observability/config';
import { alertmanagerConfigSpec } from '../../src/observability/escalation';
import { containerMemoryNearLimitRules, memoryAlertRuleGroups } from '../../src/observability/rules';
import { AlertRule } from '../../src/observability/types';

const alerts = (groups = memoryAlertRuleGroups()) => groups.flatMap((g) => g.rules as AlertRule[]);

describe('memoryAlertRuleGroups', () => {
  test('GIVEN defaults THEN the public names and severities of the issue table (the contract)', () => {
    const base = alerts().filter((r) => r.labels.escalation === undefined).map((r) => `${r.alert}:${r.labels.severity}:${r.for ?? '0m'}`);
    expect(base).toEqual([
      'ContainerMemoryNearLimit:warning:5m',
      'ContainerMemoryNearLimit:critical:2m',
      'ContainerMemoryLimitMissing:info:15m',
      'ContainerOOMKilled:warning:0m',
      'ContainerOOMKilledRepeatedly:critical:0m',
      'ContainerMemoryLeakSuspected:warning:30m',
      'NodeMemoryHigh:warning:5m',
      'NodeMemoryHigh:critical:2m',
      'NodeOOMKillDetected:warning:0m',
      'NodeSwapFillingUp:warning:10m',
      'NodeMemoryPressure:warning:10m',
      'NodeMemoryMajorPageFaults:warning:15m',
    ]);
  });

  test('GIVEN defaults THEN every alert has severity, summary, description and a runbook_url at its anchor; no group has labels or query_offset', () => {
    for (const rule of alerts()) {
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(rule.annotations.runbook_url).toBe(`https://github.com/memguard/memguard#runbook-${rule.alert.toLowerCase()}`);
      expect(['info', 'warning', 'critical']).toContain(rule.labels.severity);
    }
    for (const group of memoryAlertRuleGroups()) expect(Object.keys(group).sort()).toEqual(['name', 'rules']);
  });

  test('GIVEN defaults THEN each escalated alert gets three tiers with the critical rule\'s expr and severity, for 15m/30m/60m', () => {
    const rules = alerts();
    for (const name of ['ContainerMemoryNearLimit', 'NodeMemoryHigh']) {
      const critical = rules.find((r) => r.alert === name && r.labels.severity === 'critical' && !r.labels.escalation)!;
      const tiers = rules.filter((r) => r.alert === name && r.labels.escalation);
      expect(tiers.map((t) => [t.labels.escalation, t.for, t.labels.severity, t.expr === critical.expr])).toEqual([
        ['1', '15m', 'critical', true], ['2', '30m', 'critical', true], ['3', '60m', 'critical', true],
      ]);
    }
  });

  test('GIVEN escalation false and extra labels THEN no escalation group and every rule carries the labels', () => {
    const groups = memoryAlertRuleGroups({ escalation: false, extraLabels: { team: 'platform' } });
    expect(groups.map((g) => g.name)).toEqual(['memguard-container-memory', 'memguard-node-memory']);
    expect(alerts(groups).every((r) => r.labels.team === 'platform')).toBe(true);
  });

  test('GIVEN the critical tier of NodeMemoryHigh off THEN it has no critical rule and no escalation', () => {
    const rules = alerts(memoryAlertRuleGroups({ thresholds: { nodeMemoryHigh: { critical: false } } }));
    expect(rules.filter((r) => r.alert === 'NodeMemoryHigh').map((r) => r.labels.severity)).toEqual(['warning']);
  });

  test('GIVEN a scope THEN container expressions carry it and node expressions do not', () => {
    const rules = alerts(memoryAlertRuleGroups({ scope: { namespace: 'shop' } }));
    expect(rules.find((r) => r.alert === 'ContainerOOMKilled')!.expr).toContain('namespace="shop"');
    expect(rules.find((r) => r.alert === 'NodeMemoryHigh')!.expr).not.toContain('shop');
  });

  test('GIVEN a workload scope THEN containerMemoryNearLimitRules names it in the text', () => {
    const [warning] = containerMemoryNearLimitRules(resolveMemoryAlertsConfig(), { namespace: 'shop', podRegex: 'web-.*' }, { workload: 'Deployment web' });
    expect(warning.expr).toContain('namespace="shop", pod=~"web-.*"');
    expect(warning.annotations.summary).toBe('Deployment web container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit.');
  });
});

describe('alertmanagerConfigSpec', () => {
  test('GIVEN the default policy THEN OOM alerts page at once and each level routes to its receiver', () => {
    const spec = alertmanagerConfigSpec(resolveMemoryAlertsConfig().escalation!, { receivers: [{ name: 'infra-team', webhookConfigs: [{ url: 'http://pager' }] }] });
    expect(spec.route.receiver).toBe('memguard-notifications');
    expect(spec.route.routes!.map((r) => [r.receiver, r.matchers![0]])).toEqual([
      ['infra-team', { name: 'alertname', value: 'ContainerOOMKilled|ContainerOOMKilledRepeatedly|NodeOOMKillDetected', matchType: '=~' }],
      ['infra-team', { name: 'escalation', value: '1', matchType: '=' }],
      ['platform-lead', { name: 'escalation', value: '2', matchType: '=' }],
      ['vp-engineering', { name: 'escalation', value: '3', matchType: '=' }],
    ]);
    expect(spec.receivers).toEqual([
      { name: 'memguard-notifications' },
      { name: 'infra-team', webhookConfigs: [{ url: 'http://pager' }] },
      { name: 'platform-lead' },
      { name: 'vp-engineering' },
    ]);
  });
});
