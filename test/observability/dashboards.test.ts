import * as v8 from 'v8';
import { dashboardExpressions, memoryDashboard, memoryDashboardText } from '../../src/observability/dashboards';
import { PanelSection } from '../../src/observability/types';

const workload: PanelSection = {
  title: 'Deployment web',
  panels: [{ title: 'Working set', unit: 'bytes', queries: [{ expr: 'sum(container_memory_working_set_bytes{pod=~"web-.*"})' }] }],
};

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ refId?: string; expr: string; datasource: { uid: string } }>;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults: { unit?: string } };
}

describe('memoryDashboard', () => {
  const json = memoryDashboard({ sections: [workload] });
  const panels = json.panels as unknown as Panel[];

  test('GIVEN defaults THEN a stable uid of at most 40 characters, the same JSON on every build', () => {
    expect(json.uid).toBe('memguard-memory');
    expect(json.uid.length).toBeLessThanOrEqual(40);
    expect(JSON.stringify(memoryDashboard({ sections: [workload] }))).toBe(JSON.stringify(json));
  });

  test('GIVEN the dashboard THEN panel ids are unique, every target has a refId and uses the datasource variable, gridPos is integral', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      const refIds = p.targets!.map((t) => t.refId);
      expect(refIds).toEqual(p.targets!.map((_t, i) => String.fromCharCode(65 + i)));
      for (const t of p.targets!) expect(t.datasource.uid).toBe('${datasource}');
      for (const v of Object.values(p.gridPos)) expect(Number.isInteger(v)).toBe(true);
    }
  });

  test('GIVEN the dashboard THEN it has the issue\'s panels with typed units, rows for sections, and namespace/pod/datasource variables', () => {
    const titles = panels.map((p) => `${p.type}:${p.title}:${p.fieldConfig?.defaults.unit ?? ''}`);
    expect(titles).toEqual([
      'row:Containers:',
      'timeseries:Memory by container vs request and limit:bytes',
      'timeseries:Working set / limit:percentunit',
      'timeseries:RSS and page cache by container:bytes',
      'bargauge:Top memory consumers:bytes',
      'row:OOM kills:',
      'timeseries:OOM kills:short',
      'row:Nodes:',
      'timeseries:Memory by node:bytes',
      'timeseries:Node memory utilisation:percentunit',
      'timeseries:Memory pressure (PSI):percentunit',
      'timeseries:Major page faults:ops',
      'row:Swap:',
      'timeseries:Swap used:percentunit',
      'timeseries:Swap activity:ops',
      'row:Deployment web:',
      'timeseries:Working set:bytes',
    ]);
    const variables = (json.templating as { list: Array<{ name: string; type: string; query: unknown }> }).list;
    expect(variables.map((v) => `${v.type}:${v.name}`)).toEqual(['datasource:datasource', 'query:namespace', 'query:pod']);
    expect(panels[1].targets![0].expr).toContain('namespace=~"$namespace", pod=~"$pod"');
  });

  test('GIVEN custom thresholds THEN the ratio panel draws them', () => {
    const nearLimit = { warning: { threshold: 0.8 }, critical: { threshold: 0.9 } };
    const custom = memoryDashboard({ alerts: { thresholds: { containerMemoryNearLimit: nearLimit } } });
    type Steps = { steps: Array<{ value: number | null }> };
    const ratio = (custom.panels as unknown as Array<{ title: string; fieldConfig: { defaults: { thresholds: Steps } } }>)
      .find((p) => p.title === 'Working set / limit')!;
    expect(ratio.fieldConfig.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 0.8, 0.9]);
  });

  test('GIVEN a default namespace THEN the namespace variable opens on it, and without one on All', () => {
    const variable = (dashboard: any) => dashboard.templating.list.find((v: any) => v.name === 'namespace');
    expect(variable(memoryDashboard({ defaultNamespace: 'shop' })).current).toEqual({ selected: true, text: ['shop'], value: ['shop'] });
    expect(variable(memoryDashboard({})).current).toBeUndefined();
  });

  test('GIVEN workload names stored two bytes per character THEN the dashboard text is still one byte per character', () => {
    // v8.serialize tags a one-byte string '"'; a two-byte one 'c' (after an optional padding byte).
    const oneByte = (text: string) => v8.serialize(text)[2] === 0x22;
    // Sliced from a two-byte string, like some names cdk8s generates: ASCII content, stored two bytes per character.
    const twoByteName = 'Ā-api-c8abcdef'.slice(2);
    expect(oneByte(twoByteName)).toBe(false);
    const section = { title: twoByteName, panels: [{ title: twoByteName, unit: 'bytes' as const, queries: [{ expr: `up{pod="${twoByteName}"}` }] }] };
    const text = memoryDashboardText({ sections: [section] });
    expect(oneByte(text)).toBe(true);
    expect(JSON.parse(text).panels.some((p: any) => p.title === 'api-c8abcdef')).toBe(true);
    // A title that needs two bytes keeps them.
    expect(JSON.parse(memoryDashboardText({ title: 'Memory → shop' })).title).toBe('Memory → shop');
  });

  test('GIVEN bad options THEN InputError with the whole message', () => {
    expect(() => memoryDashboard({ uid: 'x'.repeat(41) })).toThrow(`Invalid uid "${'x'.repeat(41)}". Accepted: 1 to 40 letters, digits, "-" or "_".`);
    expect(() => memoryDashboard({ defaultNamespace: 'Shop' })).toThrow(
      'Invalid defaultNamespace "Shop". Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.');
    expect(() => memoryDashboard({ sections: [{ title: 'Empty', panels: [] }] }))
      .toThrow('Invalid sections[0].panels []: section "Empty" has no panels. Accepted: one or more panels.');
  });

  test('GIVEN the dashboard THEN dashboardExpressions lists every query of every panel', () => {
    const count = panels.filter((p) => p.type !== 'row').reduce((n, p) => n + p.targets!.length, 0);
    expect(dashboardExpressions({ sections: [workload] })).toHaveLength(count);
  });
});
