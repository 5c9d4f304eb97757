import { App, Chart } from 'cdk8s';
import { MemoryAlerts, RuleSelector } from '../../src/cdk8s/memory-alerts';
import { AlertRule, MemorySignals } from '../../src/observability/types';
import { synthValidated } from '../helpers/manifests';

const rule: AlertRule = { alert: 'WebDown', expr: 'up{job="web"} == 0', for: '5m', labels: { severity: 'warning' }, annotations: { summary: 's' } };
const signals: MemorySignals = {
  signalName: 'web',
  alertRules: () => [rule],
  dashboardSection: () => ({ title: 'web', panels: [] }),
};

const synth = (build: (chart: Chart) => void) => synthValidated(build, 'monitoring');

describe('MemoryAlerts', () => {
  test('GIVEN no props THEN one PrometheusRule with the default groups and the kube-prometheus-stack release label', () => {
    const [object, ...rest] = synth((chart) => new MemoryAlerts(chart, 'alerts'));
    expect(rest).toHaveLength(0);
    expect(object.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(object.kind).toBe('PrometheusRule');
    expect(object.metadata.namespace).toBe('monitoring');
    expect(object.metadata.labels).toEqual({ 'release': 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'memguard' });
    expect(object.spec.groups.map((g: { name: string }) => g.name)).toEqual(['memguard-container-memory', 'memguard-node-memory', 'memguard-memory-escalation']);
  });

  test('GIVEN the kube-prometheus preset THEN its rule labels', () => {
    const [object] = synth((chart) => new MemoryAlerts(chart, 'alerts', { ruleSelector: RuleSelector.kubePrometheus(), name: 'memory' }));
    expect(object.metadata).toMatchObject({ name: 'memory', labels: { prometheus: 'k8s', role: 'alert-rules' } });
  });

  test('GIVEN rules and signals added after construction THEN they are in the synthesized PrometheusRule', () => {
    const [object] = synth((chart) => {
      const alerts = new MemoryAlerts(chart, 'alerts', { escalation: false });
      alerts.addRules('memguard-extra', [rule]);
      alerts.addSignals(signals);
    });
    expect(object.spec.groups.map((g: { name: string }) => g.name)).toEqual(['memguard-container-memory', 'memguard-node-memory', 'memguard-extra', 'memguard-web']);
    expect(object.spec.groups[3].rules).toEqual([rule]);
  });

  test('GIVEN the same signals and extraRules as props THEN the same output as adding them later', () => {
    const later = synth((chart) => { const a = new MemoryAlerts(chart, 'alerts'); a.addRules('memguard-extra', [rule]); a.addSignals(signals); });
    const props = synth((chart) => new MemoryAlerts(chart, 'alerts', { extraRules: [{ name: 'memguard-extra', rules: [rule] }], signals: [signals] }));
    expect(props).toEqual(later);
  });

  test('GIVEN alertmanagerConfig THEN an AlertmanagerConfig routes the tiers in the same namespace', () => {
    const objects = synth((chart) => new MemoryAlerts(chart, 'alerts', { alertmanagerConfig: true }));
    const amc = objects.find((o) => o.kind === 'AlertmanagerConfig')!;
    expect(amc.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(amc.metadata.namespace).toBe('monitoring');
    expect(amc.spec.route.routes.map((r: { receiver: string }) => r.receiver)).toEqual(['infra-team', 'infra-team', 'platform-lead', 'vp-engineering']);
  });

  test('GIVEN a duplicate group name, or alertmanagerConfig without escalation THEN InputError with the whole message', () => {
    const chart = new Chart(new App(), 'test');
    const alerts = new MemoryAlerts(chart, 'alerts');
    expect(() => alerts.addRules('memguard-node-memory', [rule]))
      .toThrow('Invalid groupName "memguard-node-memory": a rule group of that name already exists. Accepted: a unique group name.');
    expect(() => new MemoryAlerts(chart, 'other', { escalation: false, alertmanagerConfig: true }))
      .toThrow('Invalid alertmanagerConfig true: escalation is false, so there is nothing to route. Accepted: alertmanagerConfig with an escalation policy, or no alertmanagerConfig.');
    expect(() => new MemoryAlerts(chart, 'bad', { thresholds: { nodeMemoryHigh: { critical: { threshold: 2 } } } }))
      .toThrow('Invalid thresholds.nodeMemoryHigh.critical.threshold 2. Accepted: a ratio in (0, 1].');
  });
});
