import { MemoryAlertsConfig, parsePrometheusDuration, resolveMemoryAlertsConfig, runbookUrl } from '../../src/observability/config';

describe('resolveMemoryAlertsConfig', () => {
  test('GIVEN no config THEN the issue table defaults, kube-prometheus-stack selectors and the 15/30/60 ladder apply', () => {
    const c = resolveMemoryAlertsConfig();
    expect(c.thresholds.containerMemoryNearLimit).toEqual({ warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } });
    expect(c.thresholds.nodeMemoryHigh).toEqual({ warning: { threshold: 0.85, for: '5m' }, critical: { threshold: 0.95, for: '2m' } });
    expect(c.thresholds.containerOOMKilledRepeatedly).toEqual({ critical: { threshold: 3, for: '0m' } });
    expect(c.thresholds.nodeSwapFillingUp).toEqual({ warning: { threshold: 0.5, for: '10m' } });
    expect(c.selectors.cadvisor).toBe('job="kubelet", metrics_path="/metrics/cadvisor"');
    expect(c.escalation?.tiers).toEqual([
      { after: '15m', receiver: 'infra-team' },
      { after: '30m', receiver: 'platform-lead' },
      { after: '60m', receiver: 'vp-engineering' },
    ]);
    expect(c.escalation?.alerts).toEqual(['ContainerMemoryNearLimit', 'NodeMemoryHigh']);
    expect(c.escalation?.pageReceiver).toBe('infra-team');
    expect(c.runbookUrlPattern).toBe('https://github.com/memguard/memguard#runbook-{{anchor}}');
  });

  test('GIVEN a tier set to false and a partial tier THEN the tier is off and the other keeps its default for', () => {
    const c = resolveMemoryAlertsConfig({ thresholds: { containerMemoryNearLimit: { warning: false, critical: { threshold: 0.9 } } } });
    expect(c.thresholds.containerMemoryNearLimit).toEqual({ warning: undefined, critical: { threshold: 0.9, for: '2m' } });
  });

  test.each<[string, MemoryAlertsConfig, string]>([
    ['ratio above 1', { thresholds: { containerMemoryNearLimit: { critical: { threshold: 1.2 } } } },
      'Invalid thresholds.containerMemoryNearLimit.critical.threshold 1.2. Accepted: a ratio in (0, 1].'],
    ['ratio of 0', { thresholds: { nodeMemoryHigh: { warning: { threshold: 0 } } } },
      'Invalid thresholds.nodeMemoryHigh.warning.threshold 0. Accepted: a ratio in (0, 1].'],
    ['bad duration', { thresholds: { nodeMemoryHigh: { warning: { for: '5 minutes' } } } },
      'Invalid thresholds.nodeMemoryHigh.warning.for "5 minutes". Accepted: a Prometheus duration such as 30s, 5m, 1h or 1h30m.'],
    ['warning above critical', { thresholds: { containerMemoryNearLimit: { warning: { threshold: 0.96 } } } },
      'Invalid thresholds.containerMemoryNearLimit.warning.threshold 0.96: must be below thresholds.containerMemoryNearLimit.critical.threshold 0.95. Accepted: a warning ratio below the critical ratio.'],
    ['unknown severity', { thresholds: { nodeSwapFillingUp: { critical: { threshold: 0.9 } } as never } },
      'Invalid thresholds.nodeSwapFillingUp.critical {"threshold":0.9}. Accepted: the severities "warning".'],
    ['fractional OOM count', { thresholds: { containerOOMKilledRepeatedly: { critical: { threshold: 2.5 } } } },
      'Invalid thresholds.containerOOMKilledRepeatedly.critical.threshold 2.5. Accepted: a whole number from 1.'],
    ['zero window', { windows: { oomKill: '0m' } }, 'Invalid windows.oomKill "0m". Accepted: a Prometheus duration longer than 0.'],
    ['non-http runbook', { runbookUrlPattern: 'runbooks/{{alert}}' },
      'Invalid runbookUrlPattern "runbooks/{{alert}}". Accepted: an http(s) URL, optionally with {{alert}} or {{anchor}}.'],
    ['reserved label', { extraLabels: { severity: 'page' } },
      'Invalid extraLabels.severity "severity": memguard sets this label itself. Accepted: any label name but severity, escalation, alertname.'],
    ['bad label name', { extraLabels: { 'team-name': 'x' } },
      'Invalid extraLabels.team-name "team-name". Accepted: a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __).'],
    ['shrinking ladder', { escalation: { tiers: [{ after: '30m', receiver: 'a' }, { after: '15m', receiver: 'b' }] } },
      'Invalid escalation.tiers[1].after "15m": must be longer than escalation.tiers[0].after "30m". Accepted: delays that grow from tier to tier.'],
    ['empty ladder', { escalation: { tiers: [] } }, 'Invalid escalation.tiers []. Accepted: one or more tiers, or escalation: false for none.'],
    ['bad receiver', { escalation: { tiers: [{ after: '15m', receiver: 'infra team' }] } },
      'Invalid escalation.tiers[0].receiver "infra team". Accepted: a receiver name of letters, digits, ".", "_" and "-".'],
    ['escalating a single-tier alert', { escalation: { alerts: ['NodeSwapFillingUp'] } },
      'Invalid escalation.alerts[0] "NodeSwapFillingUp". Accepted: "ContainerMemoryNearLimit" or "NodeMemoryHigh" (the alerts with warning and critical tiers).'],
  ])('GIVEN %s THEN it throws the whole message', (_what, config, message) => {
    expect(() => resolveMemoryAlertsConfig(config)).toThrow(message);
    try {
      resolveMemoryAlertsConfig(config);
    } catch (e) {
      expect((e as Error).name).toBe('InputError');
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('parsePrometheusDuration and runbookUrl', () => {
  test('GIVEN Prometheus durations THEN seconds', () => {
    expect(parsePrometheusDuration('f', '1h30m')).toBe(5400);
    expect(parsePrometheusDuration('f', '0m')).toBe(0);
    expect(parsePrometheusDuration('f', '1d')).toBe(86400);
    expect(() => parsePrometheusDuration('f', '')).toThrow('Invalid f "". Accepted: a Prometheus duration such as 30s, 5m, 1h or 1h30m.');
  });

  test('GIVEN a pattern THEN {{alert}} and {{anchor}} are replaced', () => {
    expect(runbookUrl('https://x/{{alert}}#runbook-{{anchor}}', 'NodeMemoryHigh')).toBe('https://x/NodeMemoryHigh#runbook-nodememoryhigh');
  });
});
