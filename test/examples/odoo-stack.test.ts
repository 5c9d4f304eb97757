import * as pulumi from '@pulumi/pulumi';
import { App, Chart, Testing } from 'cdk8s';
import { buildConnectors, buildOdooStack, summarize } from '../../examples/odoo-stack/app';
import { CONNECTORS_BUDGET, connectorsProps } from '../../examples/odoo-stack/connectors';
import { BUDGET, NAMESPACE, odooStackProps } from '../../examples/odoo-stack/props';
import { MemoryGuard, MemoryGuardProps } from '../../src/cdk8s/memory-guard';
import { workloadMemoryShares } from '../../src/sizing/namespace-budget';
import { Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests, workloadContainers } from '../helpers/manifests';
import { installPulumiMocks, keyByIdentity, PulumiMocks, settle } from '../helpers/pulumi';

function synthExample(): any[] {
  const { chart } = buildOdooStack(Testing.app());
  return Testing.synth(chart);
}

describe('the example Odoo stack (cdk8s)', () => {
  const objects = synthExample();

  test('GIVEN the example WHEN synthesized THEN every object is schema-valid and every pod meets Pod Security restricted', () => {
    expectValidManifests(objects);
    expectRestrictedPodSecurity(objects);
  });

  test('GIVEN the example WHEN synthesized THEN every workload container has memory requests and limits, request == limit', () => {
    const containers = workloadContainers(objects);
    expect(containers.length).toBeGreaterThanOrEqual(6);
    for (const { container, owner } of containers as any[]) {
      const where = `${owner.kind}/${owner.metadata.name} ${container.name}`;
      expect([where, container.resources?.limits?.memory !== undefined]).toEqual([where, true]);
      expect([where, container.resources?.requests?.memory]).toEqual([where, container.resources.limits.memory]);
    }
  });

  test('GIVEN the 8Gi budget WHEN the peaks are added up THEN they fill the quota exactly, surge included', () => {
    const quota = objects.find((o) => o.kind === 'ResourceQuota');
    expect(quota.spec.hard).toEqual({ 'requests.memory': '8Gi', 'limits.memory': '8Gi', 'requests.cpu': '4' });
    const shares = workloadMemoryShares(objects.filter((o) => o.metadata.namespace === NAMESPACE));
    expect(Memory.sum(shares.map((s) => s.total)).toString()).toBe(BUDGET.toString());
    expect(shares.map((s) => [s.kind, s.podLimit.toString(), s.pods])).toEqual([
      ['Deployment', '576Mi', 1],
      ['StatefulSet', '3680Mi', 1],
      ['Deployment', '64Mi', 2],
      ['Deployment', '3680Mi', 1],
      ['CronJob', '128Mi', 1],
    ]);
  });

  test('GIVEN the example WHEN synthesized THEN Odoo talks to PgBouncer, PgBouncer to PostgreSQL, and connections fit', () => {
    const config = (key: string) => objects.find((o) => o.kind === 'ConfigMap' && o.data?.[key])?.data[key] as string;
    const services = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    const pgbouncerService = services.find((n) => n.includes('pgbouncer'))!;
    const postgresService = services.find((n) => n.includes('postgres'))!;
    expect(config('odoo.conf')).toContain(`db_host = ${pgbouncerService}\ndb_port = 6432\n`);
    expect(config('pgbouncer.ini')).toContain(`host=${postgresService}`);
    const maxConnections = Number(/max_connections = (\d+)/.exec(config('postgresql.conf'))![1]);
    const maxDbConnections = Number(/max_db_connections = (\d+)/.exec(config('pgbouncer.ini'))![1]);
    expect(maxDbConnections).toBeLessThanOrEqual(maxConnections - 3);
  });

  test('GIVEN the example WHEN synthesized THEN one PrometheusRule holds the namespace-scoped defaults, the escalation and the cache\'s own alerts', () => {
    const rules = objects.filter((o) => o.kind === 'PrometheusRule');
    expect(rules).toHaveLength(1);
    const groups = rules[0].spec.groups.map((g: any) => g.name);
    expect(groups).toEqual(['memguard-container-memory', 'memguard-node-memory', 'memguard-memory-escalation', 'memguard-cache']);
    const containerRules = rules[0].spec.groups[0].rules;
    expect(containerRules.every((r: any) => r.expr.includes('namespace="odoo"'))).toBe(true);
    const dashboard = JSON.parse(Object.values(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1').data)[0] as string);
    const rows = dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title);
    expect(rows).toEqual(expect.arrayContaining(['cache', 'shopPostgres', 'shopPgBouncer', 'shopOdoo']));
  });

  test('GIVEN the example WHEN synthesized THEN each workload has a VPA in recommendation mode and no HPA', () => {
    const vpas = objects.filter((o) => o.kind === 'VerticalPodAutoscaler');
    expect(vpas.map((v) => v.spec.updatePolicy.updateMode)).toEqual(['Off', 'Off', 'Off', 'Off']);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('GIVEN the example WHEN synthesized THEN PostgreSQL creates Odoo\'s role and database on first start, from the Secret', () => {
    const statefulSet = objects.find((o) => o.kind === 'StatefulSet');
    const container = statefulSet.spec.template.spec.containers[0];
    expect(container.volumeMounts.map((m: any) => m.mountPath)).toContain('/docker-entrypoint-initdb.d');
    const password = container.env.find((e: any) => e.name === 'MEMGUARD_APP_PASSWORD');
    expect(password.valueFrom.secretKeyRef).toEqual({ name: 'odoo-db', key: 'password' });
    const odooConf = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['odoo.conf']).data['odoo.conf'] as string;
    expect(odooConf).toContain('db_name = odoo\n');
    expect(odooConf).toContain('list_db = False\n');
  });

  test('GIVEN the example WHEN synthesized THEN the redis exporter is scraped, so the cache\'s alerts can fire', () => {
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name.includes('cache'));
    // The ServiceMonitor selects the cache's Service: every selector label is on it.
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(Object.keys(monitor.spec.selector.matchLabels).length).toBeGreaterThan(0);
    expect(monitor.spec.endpoints[0].port).toBe('metrics');
    expect(service.spec.ports.map((p: any) => p.name)).toContain('metrics');
  });

  test('GIVEN the example WHEN synthesized THEN remediation flushes only the cache\'s own workload', () => {
    const config = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.data?.['config.json']).data['config.json']);
    const cacheDeployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.includes('cache'));
    expect(config.redis.workload).toEqual({ kind: 'Deployment', name: cacheDeployment.metadata.name, namespace: 'odoo' });
  });

  test('GIVEN the example WHEN synthesized THEN remediation targets the redis cache and references, never embeds, its secrets', () => {
    const cronJob = objects.find((o) => o.kind === 'CronJob');
    const env = cronJob.spec.jobTemplate.spec.template.spec.containers[0].env;
    const secretRefs = env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef);
    expect(secretRefs).toEqual(expect.arrayContaining([{ name: 'memguard-github', key: 'token' }, { name: 'redis-auth', key: 'password' }]));
    expect(JSON.stringify(objects)).not.toMatch(/"kind":"Secret"/);
  });

  test('GIVEN the summary WHEN printed THEN it lists the objects per kind and the memory split', () => {
    const summary = summarize(objects);
    expect(summary).toContain(`${objects.length} objects: 1 Namespace, 1 LimitRange, 1 ResourceQuota`);
    expect(summary).toMatch(/total\s+8 GiB {2}of 8 GiB/);
  });
});

describe('the connectors namespace of the example (cdk8s)', () => {
  const objects = Testing.synth(buildConnectors(Testing.app()).chart);
  const envOf = (deployment: any) => Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const deployment = (fragment: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name.includes(fragment));

  test('GIVEN the connectors WHEN synthesized THEN every object is valid, restricted, and every container is limited', () => {
    expectValidManifests(objects);
    expectRestrictedPodSecurity(objects);
    for (const { container } of workloadContainers(objects) as any[]) expect(container.resources.limits.memory).toBeDefined();
  });

  test('GIVEN five runtimes WHEN synthesized THEN each gets the environment derived from its limit', () => {
    expect(envOf(deployment('webhooks'))).toEqual({ NODE_OPTIONS: '--max-old-space-size=384' });
    expect(envOf(deployment('ediimporter'))).toEqual({ MALLOC_ARENA_MAX: '2', PYTHONFAULTHANDLER: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' });
    expect(envOf(deployment('searchsync'))).toEqual({ JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError' });
    expect(envOf(deployment('thumbnailer'))).toEqual({ GOMEMLIMIT: '230MiB' });
    expect(envOf(deployment('invoicepdf'))).toEqual({ DOTNET_GCHeapHardLimitPercent: '0x4B' });
  });

  test('GIVEN a legacy CronJob without resources WHEN synthesized THEN the limits policy gave it the namespace default', () => {
    const cronJob = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'nightly-export');
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '448Mi' }, requests: { memory: '448Mi' } });
    const limitRange = objects.find((o) => o.kind === 'LimitRange');
    expect(limitRange.spec.limits[0].default.memory).toBe('448Mi');
  });

  test('GIVEN the odoo guard carries the node alerts WHEN the connectors are synthesized THEN their rule has none', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule');
    const alerts: string[] = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts.some((a) => a.startsWith('Node'))).toBe(false);
    expect(alerts).toContain('ContainerMemoryNearLimit');
  });

  test('GIVEN the 7Gi budget WHEN the peaks are added up THEN they fit, surge included', () => {
    const total = Memory.sum(workloadMemoryShares(objects).map((s) => s.total));
    expect(total.toString()).toBe('7104Mi');
    expect(total.isGreaterThan(CONNECTORS_BUDGET)).toBe(false);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(1);
  });
});

describe('the example (Pulumi, under mocks)', () => {
  let mocks: PulumiMocks;
  beforeAll(async () => { mocks = await installPulumiMocks(); });

  test('GIVEN the Pulumi program WHEN run under mocks THEN it registers one resource per object, equal to the cdk8s synth, and the stack transformation fills the legacy CronJob', async () => {
    // A real program runs inside its root stack: the stack transformation needs one.
    await (pulumi.runtime as any).runInPulumiStack(async () => {
      await jest.isolateModulesAsync(async () => { await import('../../examples/odoo-stack/pulumi/index'); });
    });
    await settle();
    // The cdk8s synth of the same props, built as each component builds it (its construct id is 'Resource').
    const synth = (name: string, props: MemoryGuardProps) => {
      const chart = new Chart(new App(), name);
      new MemoryGuard(chart, 'Resource', props);
      return chart.toJson();
    };
    const expected = [...synth('odoo-stack', odooStackProps()), ...synth('odoo-connectors', connectorsProps())];
    expectValidManifests(expected);
    expect(mocks.resources.filter((r) => r.type === 'memguard:index:MemoryGuard').map((r) => r.name).sort()).toEqual(['odoo-connectors', 'odoo-stack']);
    const registered = mocks.kubernetesObjects();
    const cronJob = registered.get('CronJob/odoo-connectors/nightly-export')!;
    expect(cronJob.spec.jobTemplate.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '448Mi' }, requests: { memory: '448Mi' } });
    registered.delete('CronJob/odoo-connectors/nightly-export');
    expect(registered).toEqual(keyByIdentity(expected));
  });
});
