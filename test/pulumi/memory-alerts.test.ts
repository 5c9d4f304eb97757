import { expectValidManifests } from '../helpers/manifests';
import { installPulumiMocks, PulumiMocks, settle } from '../helpers/pulumi';

describe('Pulumi MemoryAlerts and MemoryDashboard', () => {
  let mocks: PulumiMocks;
  let pulumiModule: typeof import('../../src/pulumi/memory-alerts');
  let dashboardModule: typeof import('../../src/pulumi/memory-dashboard');
  let chartComponent: typeof import('../../src/pulumi/chart-component');
  let cdk8sAlerts: typeof import('../../src/cdk8s/memory-alerts');
  let cdk8sDashboard: typeof import('../../src/cdk8s/memory-dashboard');

  beforeAll(async () => {
    mocks = await installPulumiMocks();
    pulumiModule = await import('../../src/pulumi/memory-alerts');
    dashboardModule = await import('../../src/pulumi/memory-dashboard');
    chartComponent = await import('../../src/pulumi/chart-component');
    cdk8sAlerts = await import('../../src/cdk8s/memory-alerts');
    cdk8sDashboard = await import('../../src/cdk8s/memory-dashboard');
  });
  beforeEach(() => mocks.reset());

  test('GIVEN props with extraRules and alertmanagerConfig THEN the registered inputs equal the cdk8s synth of the same props', async () => {
    const props = {
      namespace: 'monitoring',
      alertmanagerConfig: true,
      extraRules: [{ name: 'memguard-extra', rules: [{ alert: 'X', expr: 'up == 0', labels: { severity: 'info' }, annotations: { summary: 's' } }] }],
    };
    const component = new pulumiModule.MemoryAlerts('alerts', props);
    await settle();
    const expected = chartComponent.synthesizeChart('alerts', (chart) => new cdk8sAlerts.MemoryAlerts(chart, 'Resource', props));
    expectValidManifests(expected);
    const recorded = mocks.resources.filter((r) => r.type.startsWith('kubernetes:'));
    // Registration is asynchronous, so compare in a fixed order.
    const byKind = (a: { kind: string }, b: { kind: string }) => a.kind.localeCompare(b.kind);
    expect(recorded.map((r) => r.type).sort()).toEqual(['kubernetes:monitoring.coreos.com/v1:PrometheusRule', 'kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig']);
    expect(recorded.map((r) => JSON.parse(JSON.stringify(r.inputs))).sort(byKind)).toEqual(JSON.parse(JSON.stringify(expected)).sort(byKind));
    expect(component.ruleGroups.map((g) => g.name)).toEqual(['memguard-container-memory', 'memguard-node-memory', 'memguard-memory-escalation', 'memguard-extra']);
  });

  test('GIVEN a dashboard with grafanaOperator THEN a ConfigMap and a GrafanaDashboard equal to the cdk8s synth', async () => {
    const props = { namespace: 'monitoring', grafanaOperator: { instanceSelector: { dashboards: 'grafana' } } };
    const component = new dashboardModule.MemoryDashboard('dashboard', props);
    await settle();
    const expected = chartComponent.synthesizeChart('dashboard', (chart) => new cdk8sDashboard.MemoryDashboard(chart, 'Resource', props));
    expectValidManifests(expected);
    const recorded = mocks.resources.filter((r) => r.type.startsWith('kubernetes:'));
    const byKind = (a: { kind: string }, b: { kind: string }) => a.kind.localeCompare(b.kind);
    expect(recorded.map((r) => r.type).sort()).toEqual(['kubernetes:core/v1:ConfigMap', 'kubernetes:grafana.integreatly.org/v1beta1:GrafanaDashboard']);
    expect(recorded.map((r) => JSON.parse(JSON.stringify(r.inputs))).sort(byKind)).toEqual(JSON.parse(JSON.stringify(expected)).sort(byKind));
    expect(component.uid).toBe('memguard-memory');
  });
});
