import { App, Chart } from 'cdk8s';
import { MemoryDashboard } from '../../src/cdk8s/memory-dashboard';
import { MemorySignals } from '../../src/observability/types';
import { synthValidated } from '../helpers/manifests';

const signals: MemorySignals = {
  signalName: 'web',
  alertRules: () => [],
  dashboardSection: () => ({ title: 'Deployment web', panels: [{ title: 'Working set', unit: 'bytes', queries: [{ expr: 'sum(container_memory_working_set_bytes)' }] }] }),
};

const synth = (build: (chart: Chart) => void) => synthValidated(build, 'monitoring');

describe('MemoryDashboard', () => {
  test('GIVEN no props THEN a sidecar ConfigMap labelled grafana_dashboard "1" with the folder annotation and the dashboard JSON', () => {
    const [cm, ...rest] = synth((chart) => new MemoryDashboard(chart, 'dashboard'));
    expect(rest).toHaveLength(0);
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.labels).toEqual({ 'grafana_dashboard': '1', 'app.kubernetes.io/managed-by': 'memguard' });
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Kubernetes / Memory' });
    const json = JSON.parse(cm.data['memguard-memory.json']);
    expect(json.uid).toBe('memguard-memory');
  });

  test('GIVEN grafanaOperator and a section added after construction THEN a GrafanaDashboard with instanceSelector, and both carry the row', () => {
    const objects = synth((chart) => {
      const d = new MemoryDashboard(chart, 'dashboard', { grafanaOperator: { instanceSelector: { dashboards: 'grafana' } }, folder: 'Memory', folderAnnotation: 'k8s-sidecar-target-directory' });
      d.addSignals(signals);
    });
    const gd = objects.find((o) => o.kind === 'GrafanaDashboard')!;
    expect(gd.apiVersion).toBe('grafana.integreatly.org/v1beta1');
    expect(gd.spec).toMatchObject({ instanceSelector: { matchLabels: { dashboards: 'grafana' } }, folder: 'Memory', resyncPeriod: '10m', uid: 'memguard-memory' });
    const cm = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Memory' });
    for (const text of [gd.spec.json, cm.data['memguard-memory.json']]) {
      expect(JSON.parse(text).panels.map((p: { title: string }) => p.title)).toContain('Deployment web');
    }
  });

  test('GIVEN nothing to emit or an empty instanceSelector THEN InputError with the whole message', () => {
    const chart = new Chart(new App(), 'test');
    expect(() => new MemoryDashboard(chart, 'a', { sidecarConfigMap: false }))
      .toThrow('Invalid sidecarConfigMap false: and no grafanaOperator is set, so nothing would be emitted. Accepted: true, or a grafanaOperator.');
    expect(() => new MemoryDashboard(chart, 'b', { grafanaOperator: { instanceSelector: {} } }))
      .toThrow('Invalid grafanaOperator.instanceSelector {}. Accepted: one or more labels of the Grafana instances.');
  });
});
