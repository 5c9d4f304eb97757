import { App, Chart } from 'cdk8s';
import { MemoryAlerts } from '../../src/cdk8s/memory-alerts';
import { dashboardExpressions } from '../../src/observability/dashboards';
import { memoryAlertRuleGroups } from '../../src/observability/rules';
import { AlertRule, RuleGroup } from '../../src/observability/types';
import { PromtoolAlertTest, PromtoolTestCase, checkExpressions, checkRules, substituteGrafanaVariables, testRules } from '../helpers/promtool';

// Series as kube-prometheus-stack scrapes them (memguard's default selectors).
const CADVISOR = 'job="kubelet", metrics_path="/metrics/cadvisor"';
const KSM = 'job="kube-state-metrics"';
const NODE = 'job="node-exporter"';
const APP = { namespace: 'shop', pod: 'web-1', container: 'app' };

function wss(labels: string, values: string) {
  return { series: `container_memory_working_set_bytes{${CADVISOR}, namespace="shop", pod="web-1", image="web:1", ${labels}}`, values };
}
function limit(container: string, values: string, pod = 'web-1') {
  return { series: `kube_pod_container_resource_limits{${KSM}, namespace="shop", pod="${pod}", container="${container}", resource="memory", unit="byte", uid="u1"}`, values };
}
function ksm(metric: string, extra: string, values: string, pod = 'web-1') {
  return { series: `${metric}{${KSM}, namespace="shop", pod="${pod}", container="app", uid="u1"${extra}}`, values };
}
function node(metric: string, values: string) {
  return { series: `${metric}{${NODE}, instance="n1"}`, values };
}

/** promtool compares annotations exactly; the templated texts are checked by `check rules` and one case below. */
function withoutAnnotations(groups: RuleGroup[]): RuleGroup[] {
  return groups.map((g) => ({ ...g, rules: g.rules.map((r) => ('alert' in r ? { ...r, annotations: {} } : r)) }));
}

const groups = memoryAlertRuleGroups();
const bare = withoutAnnotations(groups);

const at = (eval_time: string, alertname: string, ...labels: Array<Record<string, string>>): PromtoolAlertTest => ({
  eval_time, alertname, exp_alerts: labels.map((exp_labels) => ({ exp_labels })),
});
const container = (extra: Record<string, string>) => ({ ...APP, ...extra });
const nodeLabels = (extra: Record<string, string>) => ({ job: 'node-exporter', instance: 'n1', ...extra });

describe('promtool check rules', () => {
  test('GIVEN the default rule set WHEN promtool checks it (lints fatal) THEN it passes', () => {
    expect(checkRules(groups).output).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
  });

  test('GIVEN every PrometheusRule MemoryAlerts emits for several configurations WHEN promtool checks its spec THEN each passes', () => {
    const configs = [
      {},
      { escalation: false as const },
      { thresholds: { containerMemoryNearLimit: { critical: false as const }, nodeMemoryHigh: { warning: false as const } } },
      { selectors: { cadvisor: 'job="cadvisor"', nodeExporter: 'job="node"' }, scope: { namespaceRegex: 'shop|billing' }, interval: '30s', extraLabels: { team: 'platform' } },
    ];
    for (const props of configs) {
      const chart = new Chart(new App(), 'test');
      const alerts = new MemoryAlerts(chart, 'alerts', props);
      alerts.addRules('memguard-extra', [{ alert: 'Extra', expr: 'up == 0', labels: { severity: 'info' }, annotations: { summary: 's' } }]);
      const rule = chart.toJson().find((o) => o.kind === 'PrometheusRule');
      expect(checkRules(rule.spec.groups).output).toMatch(/SUCCESS: \d+ rules found/);
    }
  });

  test('GIVEN every PromQL expression of the dashboard panels WHEN wrapped as recording rules THEN promtool parses each', () => {
    const exprs = dashboardExpressions().map((e) => substituteGrafanaVariables(e));
    expect(exprs.length).toBeGreaterThan(15);
    expect(checkExpressions(exprs).output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  test('GIVEN a broken expression like the runbooks\' WHEN checked THEN promtool rejects it and the helper shows why', () => {
    expect(() => checkExpressions(['query(rate(container_memory_working_set_bytes[5m]'])).toThrow(/promtool check rules failed/);
  });
});

describe('promtool test rules: ContainerMemoryNearLimit', () => {
  test('GIVEN 90% of the limit THEN the warning fires at 5m (not at 4m) and nothing critical ever fires', () => {
    testRules(bare, [{
      name: 'near limit warning',
      input_series: [wss('container="app", id="/a"', '900x70'), limit('app', '1000x70')],
      alert_rule_test: [
        at('4m', 'ContainerMemoryNearLimit'),
        at('5m', 'ContainerMemoryNearLimit', container({ severity: 'warning' })),
        at('65m', 'ContainerMemoryNearLimit', container({ severity: 'warning' })),
      ],
    }]);
  });

  test('GIVEN 97% of the limit THEN critical at 2m, warning at 5m, escalation 1/2/3 at 15/30/60m and not a minute before', () => {
    const w = container({ severity: 'warning' });
    const c = container({ severity: 'critical' });
    const e = (level: string) => container({ severity: 'critical', escalation: level });
    testRules(bare, [{
      name: 'escalation ladder',
      input_series: [wss('container="app", id="/a"', '970x70'), limit('app', '1000x70')],
      alert_rule_test: [
        at('1m', 'ContainerMemoryNearLimit'),
        at('2m', 'ContainerMemoryNearLimit', c),
        at('5m', 'ContainerMemoryNearLimit', w, c),
        at('14m', 'ContainerMemoryNearLimit', w, c),
        at('15m', 'ContainerMemoryNearLimit', w, c, e('1')),
        at('29m', 'ContainerMemoryNearLimit', w, c, e('1')),
        at('30m', 'ContainerMemoryNearLimit', w, c, e('1'), e('2')),
        at('59m', 'ContainerMemoryNearLimit', w, c, e('1'), e('2')),
        at('60m', 'ContainerMemoryNearLimit', w, c, e('1'), e('2'), e('3')),
      ],
    }]);
  });

  test('GIVEN a container without a limit (no kube-state-metrics series, or a 0 limit) THEN it never fires', () => {
    testRules(bare, [{
      name: 'no limit',
      input_series: [
        wss('container="app", id="/a"', '5000000000x70'),
        { series: `container_memory_working_set_bytes{${CADVISOR}, namespace="shop", pod="web-2", image="web:1", container="app", id="/b"}`, values: '900x70' },
        limit('app', '0x70', 'web-2'),
      ],
      alert_rule_test: [at('30m', 'ContainerMemoryNearLimit'), at('70m', 'ContainerMemoryNearLimit')],
    }]);
  });

  test('GIVEN the pod-level (container="") and pause (POD) series over their "limits" THEN they never fire', () => {
    testRules(bare, [{
      name: 'container="" and POD',
      input_series: [
        wss('container="", id="/pod"', '990x70'),
        wss('container="POD", id="/pause"', '990x70'),
        limit('', '1000x70'),
        limit('POD', '1000x70'),
        wss('container="app", id="/a"', '100x70'),
        limit('app', '1000x70'),
      ],
      alert_rule_test: [at('30m', 'ContainerMemoryNearLimit'), at('70m', 'ContainerMemoryNearLimit')],
    }]);
  });

  test('GIVEN the container restarts at 20m (a new cAdvisor series while the old one goes stale) THEN `for` is not reset: escalation 2 still fires at 30m', () => {
    const c = container({ severity: 'critical' });
    const w = container({ severity: 'warning' });
    const e = (level: string) => container({ severity: 'critical', escalation: level });
    testRules(bare, [{
      name: 'restart keeps for',
      input_series: [
        wss('container="app", id="/old"', '970x20 stale'),
        wss('container="app", id="/new"', '_x20 970x50'),
        limit('app', '1000x70'),
      ],
      alert_rule_test: [
        at('25m', 'ContainerMemoryNearLimit', w, c, e('1')),
        at('30m', 'ContainerMemoryNearLimit', w, c, e('1'), e('2')),
      ],
    }]);
  });

  test('GIVEN 90% of the limit WHEN the alert fires THEN its annotations render with the container and the value', () => {
    const warning = groups[0].rules.filter((r): r is AlertRule => 'alert' in r && r.alert === 'ContainerMemoryNearLimit' && r.labels.severity === 'warning');
    testRules([{ name: 'annotations', rules: warning }], [{
      input_series: [wss('container="app", id="/a"', '900x10'), limit('app', '1000x10')],
      alert_rule_test: [{
        eval_time: '5m',
        alertname: 'ContainerMemoryNearLimit',
        exp_alerts: [{
          exp_labels: container({ severity: 'warning' }),
          exp_annotations: {
            summary: 'Container shop/web-1/app uses 90% of its memory limit.',
            description: 'Container shop/web-1/app has used more than 85% of its memory limit for 5m (working set, what the kubelet evicts on and the OOM killer acts on). At the limit the kernel OOM-kills it. Raise the limit or find what holds the memory.',
            runbook_url: 'https://github.com/memguard/memguard#runbook-containermemorynearlimit',
          },
        }],
      }],
    }]);
  });
});

describe('promtool test rules: container OOM, limit missing, leak', () => {
  const restarts = (values: string, pod = 'web-1') => ksm('kube_pod_container_status_restarts_total', '', values, pod);
  const reason = (r: string, values: string, pod = 'web-1') => ksm('kube_pod_container_status_last_terminated_reason', `, reason="${r}"`, values, pod);

  test('GIVEN an OOMKilled restart at 5m THEN ContainerOOMKilled fires at once (5m, not 4m) and clears after the 10m window', () => {
    testRules(bare, [{
      name: 'oom kill',
      input_series: [restarts('0x4 1x30'), reason('OOMKilled', '_x4 1x30')],
      alert_rule_test: [
        at('4m', 'ContainerOOMKilled'),
        at('5m', 'ContainerOOMKilled', container({ severity: 'warning' })),
        at('20m', 'ContainerOOMKilled'),
        at('5m', 'ContainerOOMKilledRepeatedly'),
      ],
    }]);
  });

  test('GIVEN a restart for another reason, an old OOMKilled reason without a restart, a new pod, and a counter reset THEN nothing fires', () => {
    testRules(bare, [{
      name: 'oom non-firing',
      input_series: [
        restarts('0x4 1x30'), reason('Error', '_x4 1x30'), reason('OOMKilled', '0x35'),
        restarts('2x35', 'web-2'), reason('OOMKilled', '1x35', 'web-2'),
        restarts('_x10 0x25', 'web-3'), reason('OOMKilled', '_x10 1x25', 'web-3'),
        restarts('3x10 0x25', 'web-4'), reason('OOMKilled', '1x35', 'web-4'),
      ],
      alert_rule_test: [at('5m', 'ContainerOOMKilled'), at('15m', 'ContainerOOMKilled'), at('30m', 'ContainerOOMKilledRepeatedly')],
    }]);
  });

  test('GIVEN OOMKilled restarts at 5m, 15m and 25m THEN ContainerOOMKilledRepeatedly fires at 25m, not after two', () => {
    testRules(bare, [{
      name: 'oom repeatedly',
      input_series: [restarts('0x4 1x9 2x9 3x30'), reason('OOMKilled', '_x4 1x50')],
      alert_rule_test: [
        at('24m', 'ContainerOOMKilledRepeatedly'),
        at('25m', 'ContainerOOMKilledRepeatedly', container({ severity: 'critical' })),
      ],
    }]);
  });

  test('GIVEN a running container without a memory limit THEN ContainerMemoryLimitMissing fires at 15m (not 14m); with a limit it does not', () => {
    testRules(bare, [{
      name: 'limit missing',
      input_series: [
        ksm('kube_pod_container_status_running', '', '1x30'),
        ksm('kube_pod_container_status_running', '', '1x30', 'web-2'), limit('app', '1000x30', 'web-2'),
        ksm('kube_pod_container_status_running', '', '0x30', 'web-3'),
      ],
      alert_rule_test: [
        at('14m', 'ContainerMemoryLimitMissing'),
        at('15m', 'ContainerMemoryLimitMissing', container({ severity: 'info' })),
      ],
    }]);
  });

  test('GIVEN a working set that climbs steadily toward the limit THEN ContainerMemoryLeakSuspected fires after 30m; a flat or far one does not', () => {
    testRules(bare, [{
      name: 'leak',
      input_series: [
        wss('container="app", id="/a"', '100+10x90'), limit('app', '2000x90'),
        { series: `container_memory_working_set_bytes{${CADVISOR}, namespace="shop", pod="web-2", image="web:1", container="app", id="/b"}`, values: '1900x90' },
        limit('app', '2000x90', 'web-2'),
        { series: `container_memory_working_set_bytes{${CADVISOR}, namespace="shop", pod="web-3", image="web:1", container="app", id="/c"}`, values: '100+1x90' },
        limit('app', '100000x90', 'web-3'),
      ],
      alert_rule_test: [
        at('30m', 'ContainerMemoryLeakSuspected'),
        at('45m', 'ContainerMemoryLeakSuspected', container({ severity: 'warning' })),
      ],
    }]);
  });
});

describe('promtool test rules: node alerts', () => {
  const memory = (available: string, total: string) => [node('node_memory_MemAvailable_bytes', available), node('node_memory_MemTotal_bytes', total)];

  test('GIVEN 90% node memory used THEN NodeMemoryHigh warns at 5m; at 97% critical at 2m and escalation 1/2/3 at 15/30/60m', () => {
    const e = (level: string) => nodeLabels({ severity: 'critical', escalation: level });
    const tests: PromtoolTestCase[] = [
      {
        name: 'node warning',
        input_series: memory('10x30', '100x30'),
        alert_rule_test: [at('4m', 'NodeMemoryHigh'), at('5m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }))],
      },
      {
        name: 'node escalation',
        input_series: memory('3x70', '100x70'),
        alert_rule_test: [
          at('1m', 'NodeMemoryHigh'),
          at('2m', 'NodeMemoryHigh', nodeLabels({ severity: 'critical' })),
          at('14m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' })),
          at('15m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' }), e('1')),
          at('29m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' }), e('1')),
          at('30m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' }), e('1'), e('2')),
          at('59m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' }), e('1'), e('2')),
          at('60m', 'NodeMemoryHigh', nodeLabels({ severity: 'warning' }), nodeLabels({ severity: 'critical' }), e('1'), e('2'), e('3')),
        ],
      },
      { name: 'node fine', input_series: memory('50x30', '100x30'), alert_rule_test: [at('30m', 'NodeMemoryHigh')] },
    ];
    testRules(bare, tests);
  });

  test('GIVEN a kernel OOM kill at 5m THEN NodeOOMKillDetected fires at once and clears after 5m; no kill, no alert', () => {
    testRules(bare, [
      {
        name: 'node oom',
        input_series: [node('node_vmstat_oom_kill', '0x4 1x20')],
        alert_rule_test: [
          at('4m', 'NodeOOMKillDetected'),
          at('5m', 'NodeOOMKillDetected', nodeLabels({ severity: 'warning' })),
          at('12m', 'NodeOOMKillDetected'),
        ],
      },
      { name: 'node no oom, reboot reset', input_series: [node('node_vmstat_oom_kill', '7x10 0x10')], alert_rule_test: [at('12m', 'NodeOOMKillDetected')] },
    ]);
  });

  test('GIVEN 70% swap used THEN NodeSwapFillingUp fires at 10m (not 9m); a node without swap (SwapTotal 0) never fires', () => {
    testRules(bare, [
      {
        name: 'swap',
        input_series: [node('node_memory_SwapTotal_bytes', '100x20'), node('node_memory_SwapFree_bytes', '30x20')],
        alert_rule_test: [at('9m', 'NodeSwapFillingUp'), at('10m', 'NodeSwapFillingUp', nodeLabels({ severity: 'warning' }))],
      },
      {
        name: 'no swap',
        input_series: [node('node_memory_SwapTotal_bytes', '0x20'), node('node_memory_SwapFree_bytes', '0x20')],
        alert_rule_test: [at('15m', 'NodeSwapFillingUp')],
      },
    ]);
  });

  test('GIVEN tasks waiting on memory 20% of the time THEN NodeMemoryPressure fires once it has held 10m (rate warm-up included); at 5% it does not', () => {
    testRules(bare, [
      {
        name: 'psi',
        input_series: [node('node_pressure_memory_waiting_seconds_total', '0+12x40')],
        alert_rule_test: [at('10m', 'NodeMemoryPressure'), at('15m', 'NodeMemoryPressure', nodeLabels({ severity: 'warning' }))],
      },
      { name: 'psi low', input_series: [node('node_pressure_memory_waiting_seconds_total', '0+3x40')], alert_rule_test: [at('30m', 'NodeMemoryPressure')] },
    ]);
  });

  test('GIVEN 1000 major page faults per second THEN NodeMemoryMajorPageFaults fires once it has held 15m; at 100/s it does not', () => {
    testRules(bare, [
      {
        name: 'major faults',
        input_series: [node('node_vmstat_pgmajfault', '0+60000x40')],
        alert_rule_test: [at('15m', 'NodeMemoryMajorPageFaults'), at('20m', 'NodeMemoryMajorPageFaults', nodeLabels({ severity: 'warning' }))],
      },
      { name: 'few faults', input_series: [node('node_vmstat_pgmajfault', '0+6000x40')], alert_rule_test: [at('30m', 'NodeMemoryMajorPageFaults')] },
    ]);
  });
});
