import { ApiObject, App, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { guardDashboardDefaults, MemoryGuard } from '../../src/cdk8s/memory-guard';
import { MemoryLimitPolicy } from '../../src/cdk8s/memory-limit-policy';
import { Cpu, Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

const q = (text: string) => Memory.parse(text);
const newChart = () => new Chart(Testing.app(), 'test', { namespace: 'shop' });
/** 'ok', or the synthesis error. */
function tryToSynth(chart: Chart): string {
  try {
    Testing.synth(chart);
    return 'ok';
  } catch (error) {
    return String(error);
  }
}
/** A Deployment with one container "app" as a raw ApiObject (not a cdk8s-plus construct), limited when `memoryLimit` is given. */
function rawDeployment(scope: Construct, id: string, image: string, memoryLimit?: string): ApiObject {
  const container = { name: 'app', image, ...(memoryLimit ? { resources: { limits: { memory: memoryLimit } } } : {}) };
  return new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } } },
  });
}

function synthOk(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects;
}

describe('MemoryGuard', () => {
  test('GIVEN a guard and two deployments WHEN synthesized THEN one PrometheusRule and one dashboard collect both', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('4Gi'), workloadAlert: { thresholdPercent: 70 } });
    guard.addDeployment('api', { containers: [{ image: 'api:1', runtime: 'node', memoryLimit: q('512Mi'), user: 1000 }] });
    guard.addDeployment('worker', { containers: [{ image: 'worker:1', runtime: 'python', memoryLimit: q('1Gi'), user: 1000 }] });
    const objects = synthOk(chart);
    expectRestrictedPodSecurity(objects);
    const rules = objects.filter((o) => o.kind === 'PrometheusRule');
    expect(rules).toHaveLength(1);
    const apiGroup = rules[0].spec.groups.find((g: any) => g.name === 'memguard-api');
    expect(apiGroup.rules.map((r: any) => r.alert)).toEqual(['WorkloadMemoryNearLimit']);
    expect(apiGroup.rules[0].expr.endsWith('> 0.7')).toBe(true);
    expect(rules[0].spec.groups.map((g: any) => g.name)).toContain('memguard-worker');
    expect(objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'VerticalPodAutoscaler').map((v) => v.spec.updatePolicy.updateMode)).toEqual(['Off', 'Off']);
    expect(guard.signals().map((s) => s.signalName)).toEqual(['api', 'worker']);
  });

  test('GIVEN no workloadAlert WHEN synthesized THEN the namespace-scoped ContainerMemoryNearLimit covers the workloads, with no second rule', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard');
    guard.addDeployment('api', { containers: [{ image: 'api:1', user: 1000 }] });
    const rule = synthOk(chart).find((o) => o.kind === 'PrometheusRule');
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).not.toContain('WorkloadMemoryNearLimit');
    const nearLimit = rule.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === 'ContainerMemoryNearLimit');
    expect(nearLimit.expr).toContain('namespace="shop"');
    expect(alerts).toContain('NodeMemoryHigh');
  });

  test('GIVEN nodeAlerts false WHEN synthesized THEN no node alert and no node escalation is in this guard\'s rule', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { nodeAlerts: false, dashboard: false });
    const rule = synthOk(chart).find((o) => o.kind === 'PrometheusRule');
    const alerts: string[] = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts.filter((a) => a.startsWith('Node'))).toEqual([]);
    expect(alerts).toContain('ContainerMemoryNearLimit');
    expect(alerts).toContain('ContainerOOMKilled');
  });

  test('GIVEN CPU requests above the CPU quota WHEN synthesized THEN the error lists each workload\'s share', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('8Gi'), cpuBudget: Cpu.cores(1), dashboard: false });
    guard.addDeployment('api', { replicas: 2, containers: [{ image: 'api:1', cpuRequest: Cpu.millis(400), user: 1000 }] });
    const name = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')!.name;
    expect(() => Testing.synth(chart)).toThrow(
      `the workloads' peak CPU requests add up to 1200m, above the ResourceQuota 1 (requests.cpu): pods past it are rejected. Workloads: Deployment ${name}: 400m x 3 = 1200m.`);
  });

  test('GIVEN an Odoo stack WHEN added THEN the CPU request is split so the stack fits a quota of cpus', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('8Gi'), cpuBudget: Cpu.cores(4), dashboard: false });
    guard.addOdooStack('shop', {
      memory: q('7Gi'),
      cpus: 4,
      cpuRequest: Cpu.millis(3900),
      secrets: { postgresPassword: { secretName: 'pg' }, pgbouncerUserlist: { secretName: 'ul' }, odooDatabasePassword: { secretName: 'odoo' } },
    });
    const cpus = synthOk(chart).filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))
      .map((o) => o.spec.template.spec.containers[0].resources.requests.cpu);
    expect(cpus.sort()).toEqual(['100m', '1900m', '1900m']);
    expect(() => guard.addOdooStack('tiny', {
      memory: q('1Gi'),
      cpus: 1,
      cpuRequest: Cpu.millis(100),
      secrets: { postgresPassword: { secretName: 'pg' }, pgbouncerUserlist: { secretName: 'ul' }, odooDatabasePassword: { secretName: 'odoo' } },
    })).toThrow('Invalid tiny.cpuRequest "100m". Accepted: more than 100m (PgBouncer\'s request) plus 1m each for PostgreSQL and Odoo.');
  });

  test('GIVEN a container the guard\'s own LimitRange would reject WHEN synthesized THEN each rule it breaks is named', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('4Gi'), dashboard: false });
    guard.addDeployment('headroom', { containers: [{ image: 'a:1', memoryLimit: q('1Gi'), memoryHeadroomPercent: 25, user: 1000 }] });
    guard.addDeployment('huge', { containers: [{ image: 'b:1', memoryLimit: q('3Gi'), user: 1000 }] });
    const [headroom, huge] = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment').map((o) => o.name);
    let message = '';
    try { Testing.synth(chart); } catch (e) { message = (e as Error).message; }
    expect(message).toContain(`Deployment ${headroom}, container "main": memory limit/request 1.25 (1Gi / 819Mi) is above the LimitRange maxLimitRequestRatio 1, so admission rejects the pod; set request == limit or raise guardrails.maxLimitRequestRatio`);
    expect(message).toContain(`Deployment ${huge}, container "main": memory limit 3Gi is above the LimitRange max 2Gi, so admission rejects the pod`);
  });

  test('GIVEN workloads whose peaks exceed the quota WHEN synthesized THEN the error lists each workload with its surge', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('2Gi'), dashboard: false });
    guard.addDeployment('api', { replicas: 2, containers: [{ image: 'api:1', memoryLimit: q('768Mi'), user: 1000 }] });
    const name = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')!.name;
    // Two replicas fit (1.5 GiB); the rollout's third pod does not.
    expect(() => Testing.synth(chart)).toThrow(
      `[test/guard] the workloads' peak memory limits add up to 2.25 GiB, above the ResourceQuota 2 GiB (limits.memory); pods past it are rejected, and a rollout stalls on its surge pod. Workloads: Deployment ${name}: 768 MiB x 3 (2 replicas + 1 rolling-update surge) = 2.25 GiB. Raise memoryBudget, lower the limits, or use a Recreate strategy / maxSurge 0 where a surge pod does not fit.`);
  });

  test('GIVEN a workload added after a first synth in the same tick WHEN synthesized again THEN the checks see it', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('2Gi'), dashboard: false });
    guard.addDeployment('small', { containers: [{ image: 'a:1', memoryLimit: q('256Mi'), user: 1000 }] });
    expect(() => Testing.synth(chart)).not.toThrow();
    guard.addDeployment('large', { containers: [{ image: 'b:1', memoryLimit: q('1Gi'), user: 1000 }] });
    expect(() => Testing.synth(chart)).toThrow(/peak memory limits add up to 2.5 GiB, above the ResourceQuota 2 GiB/);
  });

  test('GIVEN an HPA on memory WHEN synthesized THEN its maxReplicas counts toward the quota', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('8Gi') });
    guard.addDeployment('api', {
      containers: [{ image: 'api:1', memoryLimit: q('1Gi'), user: 1000 }],
      autoscaling: { verticalPodAutoscaler: 'Off', horizontalOnMemory: { maxReplicas: 8 } },
    });
    expect(() => Testing.synth(chart)).toThrow(/1 GiB x 10 \(HPA maxReplicas 8 \+ 2 rolling-update surge\) = 10 GiB/);
  });

  test('GIVEN an HPA on memory that fits WHEN synthesized THEN it targets memory utilization of the Deployment', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('8Gi') });
    guard.addDeployment('api', {
      containers: [{ image: 'api:1', memoryLimit: q('512Mi'), user: 1000 }],
      autoscaling: { verticalPodAutoscaler: false, horizontalOnMemory: { minReplicas: 2, maxReplicas: 4, averageUtilizationPercent: 70 } },
    });
    const objects = synthOk(chart);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect(objects.filter((o) => o.kind === 'VerticalPodAutoscaler')).toEqual([]);
  });

  test('GIVEN an HPA on memory and an active VPA WHEN added THEN it is rejected, since both would act on memory', () => {
    const guard = new MemoryGuard(newChart(), 'guard');
    expect(() => guard.addDeployment('api', {
      containers: [{ image: 'a:1' }],
      autoscaling: { verticalPodAutoscaler: 'Recreate', horizontalOnMemory: { maxReplicas: 3 } },
    })).toThrow('Invalid api.autoscaling.verticalPodAutoscaler "Recreate". Accepted: "Off" or false when horizontalOnMemory is set: an active VPA and a memory HPA fight over the same signal.');
  });

  test.each([
    [{ verticalPodAutoscaler: 'Auto' }, 'Invalid autoscaling.verticalPodAutoscaler "Auto". Accepted: one of "Off", "Initial", "Recreate", "InPlaceOrRecreate".'],
    [{ horizontalOnMemory: { maxReplicas: 0 } }, 'Invalid autoscaling.horizontalOnMemory.maxReplicas 0. Accepted: a whole number from 1 to 1000.'],
    [{ horizontalOnMemory: { maxReplicas: 3, averageUtilizationPercent: 101 } }, 'Invalid autoscaling.horizontalOnMemory.averageUtilizationPercent 101. Accepted: a number from 10% to 100%.'],
  ])('GIVEN bad autoscaling %j WHEN the guard is built THEN it throws', (autoscaling, message) => {
    expect(() => new MemoryGuard(newChart(), 'guard', { autoscaling: autoscaling as any })).toThrow(message);
  });

  test('GIVEN Odoo and PostgreSQL without PgBouncer WHEN Odoo may open more connections than PostgreSQL allows THEN synthesis fails saying so', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { dashboard: false });
    guard.addPostgres('db', { limit: q('1Gi'), cpus: 2 });
    guard.addOdoo('odoo', { limit: q('4Gi'), cpus: 4 });
    expect(() => Testing.synth(chart)).toThrow(/Odoo's worst case is \d+ PostgreSQL connections \(\(workers \+ cron \+ 1\) x db_maxconn x replicas\), above the \d+ that max_connections \d+ leaves after 3 superuser connections: add a PgBouncer/);
  });

  test('GIVEN a PgBouncer sized for another max_connections WHEN synthesized THEN the mismatch is reported', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { dashboard: false });
    const db = guard.addPostgres('db', { limit: q('2Gi'), cpus: 2 });
    guard.addPgBouncer('bouncer', {
      odoo: { workers: 2, maxCronThreads: 1, dbMaxconn: 8 }, maxConnections: 100, upstreamHost: 'db', authSecret: { secretName: 'userlist' },
    });
    expect(() => Testing.synth(chart)).toThrow(new RegExp(`was sized for max_connections 100, but PostgreSQL .* allows ${db.maxConnections}: pass the PostgresTuning's maxConnections to the PgBouncer`));
  });

  test('GIVEN an Odoo stack WHEN added THEN the three are sized together and wired Odoo -> PgBouncer -> PostgreSQL', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('8Gi') });
    const stack = guard.addOdooStack('shop', {
      memory: q('8Gi') .minus(q('64Mi')),
      cpus: 4,
      secrets: { postgresPassword: { secretName: 'pg' }, pgbouncerUserlist: { secretName: 'ul' }, odooDatabasePassword: { secretName: 'odoo' } },
    });
    const objects = synthOk(chart);
    expectRestrictedPodSecurity(objects);
    expect(stack.pgbouncer.settings.maxConnections).toBe(stack.postgres.maxConnections);
    expect(stack.odoo.worstCaseConnections).toBe(stack.sizing.odoo.worstCaseConnections);
    expect(stack.odoo.odooConf).toContain(`db_host = ${stack.pgbouncer.serviceName}\n`);
    expect(stack.pgbouncer.pgbouncerIni).toContain(`host=${stack.postgres.serviceName}`);
    const odooDeployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.includes('shopodoo'));
    expect(odooDeployment.spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('GIVEN a workload outside the guard without limits WHEN the default policy fills it THEN the quota check counts the filled limit', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    new ApiObject(chart, 'legacy', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image: 'legacy:1' }] } });
    const pod = synthOk(chart).find((o) => o.kind === 'Pod');
    // 1/16 of 1Gi clamps to the 128Mi floor.
    expect(pod.spec.containers[0].resources.limits.memory).toBe('128Mi');
  });

  test('GIVEN no limits policy and a container without a limit WHEN synthesized THEN the quota check names it', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), limitPolicy: false, dashboard: false });
    const pod = new ApiObject(chart, 'legacy', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image: 'legacy:1' }] } });
    expect(() => Testing.synth(chart)).toThrow(`Pod ${pod.name}: containers c have no memory limit, so the ResourceQuota rejects the pod`);
  });

  test('GIVEN remediation with flush-redis and one declared cache WHEN synthesized THEN the job is wired to that cache', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', {
      redisCaches: { cache: { limit: q('256Mi'), password: { secretName: 'redis-auth' }, allowFlushAll: true } },
      remediation: { actions: ['flush-redis'], dryRun: true },
    });
    const objects = synthOk(chart);
    const config = JSON.parse(objects.find((o) => o.kind === 'ConfigMap' && o.data?.['config.json'])?.data['config.json'] ?? '{}');
    const redisService = objects.find((o) => o.kind === 'Service' && o.metadata.name.includes('cache')).metadata.name;
    expect(JSON.stringify(config)).toContain(`${redisService}.shop.svc`);
    expect(guard.remediation).toBeDefined();
  });

  test('GIVEN swap WHEN added THEN the node configuration is a ConfigMap and the DaemonSet only comes when asked', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { dashboard: false });
    const { node, daemonSet } = guard.addSwap('swap');
    expect(daemonSet).toBeUndefined();
    expect(node.kubeletConfigYaml).toContain('failSwapOn: false');
    const withDaemonSet = new MemoryGuard(newChart(), 'guard2', { dashboard: false, swap: { daemonSet: {} } });
    expect(Testing.synth(Chart.of(withDaemonSet)).some((o: any) => o.kind === 'DaemonSet')).toBe(true);
  });

  test('GIVEN a duplicate workload id or no namespace WHEN added THEN it throws by name', () => {
    const guard = new MemoryGuard(newChart(), 'guard');
    guard.addDeployment('api', { containers: [{ image: 'a:1' }] });
    expect(() => guard.addRedisCache('api')).toThrow();
    expect(() => new MemoryGuard(new Chart(Testing.app(), 'x'), 'guard')).toThrow(
      'Invalid namespace undefined. Accepted: a namespace name (or a chart with a namespace).');
    expect(() => new MemoryGuard(new Chart(Testing.app(), 'y'), 'guard', { namespace: 'Bad Name' })).toThrow(
      'Invalid namespace "Bad Name". Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.');
  });

  test('GIVEN two guarded namespaces WHEN synthesized THEN each has its own dashboard uid, ConfigMap key and default namespace', () => {
    const app = Testing.app();
    const dashboards = ['shop', 'billing'].map((namespace) => {
      const chart = new Chart(app, namespace, { namespace });
      new MemoryGuard(chart, 'guard').addDeployment('api', { containers: [{ image: 'api:1', user: 1000 }] });
      const configMap = synthOk(chart).find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
      expect(Object.keys(configMap.data)).toEqual([`memguard-${namespace}.json`]);
      return JSON.parse(configMap.data[`memguard-${namespace}.json`]);
    });
    expect(dashboards.map((d) => d.uid)).toEqual(['memguard-shop', 'memguard-billing']);
    expect(dashboards.map((d) => d.title)).toEqual(['Kubernetes / Memory / shop (memguard)', 'Kubernetes / Memory / billing (memguard)']);
    expect(dashboards.map((d) => d.templating.list.find((v: any) => v.name === 'namespace').current)).toEqual([
      { selected: true, text: ['shop'], value: ['shop'] },
      { selected: true, text: ['billing'], value: ['billing'] },
    ]);
  });

  test('GIVEN namespaces of 31 to 63 characters or an explicit uid WHEN the guard names its dashboard THEN the uid fits Grafana\'s 40 characters or is the one given', () => {
    // 31 characters: "memguard-" + the namespace is exactly 40, kept readable.
    expect(guardDashboardDefaults(`ns-${'a'.repeat(28)}`).uid).toBe(`memguard-ns-${'a'.repeat(28)}`);
    // 32 and 63 characters: a 31-character prefix, "_" (never in a namespace) and 8 hex digits of a hash.
    for (const namespace of [`ns-${'a'.repeat(29)}`, `team-${'a'.repeat(58)}`]) {
      expect(guardDashboardDefaults(namespace).uid).toMatch(/^memguard-[a-z-]{22}_[0-9a-f]{8}$/);
    }
    const long = guardDashboardDefaults(`team-${'a'.repeat(58)}`).uid!;
    expect(guardDashboardDefaults(`team-${'a'.repeat(57)}b`).uid).not.toBe(long);
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { dashboard: { uid: 'shop-memory' } });
    expect(guard.dashboard!.uid).toBe('shop-memory');
  });

  test('GIVEN the default autoscaling WHEN synthesized THEN the VPA records recommendations for every container, with the API\'s defaults', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { dashboard: false });
    const api = guard.addDeployment('api', { containers: [{ image: 'api:1', user: 1000 }] });
    const vpa = synthOk(chart).find((o) => o.kind === 'VerticalPodAutoscaler');
    // No resourcePolicy: the API defaults are every container, memory and CPU, requests and limits.
    expect(vpa.spec).toEqual({ targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: api.name }, updatePolicy: { updateMode: 'Off' } });
  });

  test('GIVEN a guarded workload WHEN synthesized THEN it is rendered once per synthesis, with the policy filled in', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('2Gi'), dashboard: false });
    const legacy = rawDeployment(chart, 'legacy', 'legacy:1');
    guard.addDeployment('api', { containers: [{ image: 'api:1', memoryLimit: q('256Mi'), user: 1000 }] });
    const ownRender = jest.spyOn(legacy, 'toJson');
    // The quota check and the limits policy both read the workload; the output takes that same render.
    const emitted = Testing.synth(chart).find((o: any) => o.metadata.name === legacy.name);
    expect(ownRender).toHaveBeenCalledTimes(1);
    // The LimitRange default for a 2Gi budget, filled in by the guard's policy.
    expect(emitted.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '128Mi' }, requests: { memory: '128Mi' } });
    Testing.synth(chart);
    expect(ownRender).toHaveBeenCalledTimes(2);
  });

  test('GIVEN a workload changed between two synths of different charts in the same tick THEN the second synth emits the change', () => {
    const app = Testing.app();
    const first = new Chart(app, 'first', { namespace: 'first' });
    new MemoryGuard(first, 'guard', { dashboard: false });
    const second = new Chart(app, 'second', { namespace: 'second' });
    new MemoryGuard(second, 'guard', { dashboard: false });
    const api = rawDeployment(second, 'api', 'api:1');
    // Synthesizing the first chart validates the whole app, the second chart's workloads included.
    Testing.synth(first);
    api.metadata.addLabel('changed', 'yes');
    const emitted = Testing.synth(second).find((o: any) => o.metadata.name === api.name);
    expect(emitted.metadata.labels).toEqual({ changed: 'yes' });
    expect(emitted.spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
  });

  test('GIVEN a workload added directly under the guard after a synth in the same tick WHEN synthesized again THEN it is filled and counted', () => {
    const chart = newChart();
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    expect(() => Testing.synth(chart)).not.toThrow();
    const large = rawDeployment(guard, 'large', 'a:1', '4Gi');
    expect(() => Testing.synth(chart)).toThrow(/peak memory limits add up to 8 GiB, above the ResourceQuota 1 GiB/);
    const small = rawDeployment(guard, 'small', 'b:1');
    large.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/memory', '128Mi'));
    const emitted = Testing.synth(chart).find((o: any) => o.metadata.name === small.name);
    expect(emitted.spec.template.spec.containers[0].resources.limits.memory).toBe(guard.guardrails!.values.defaultMemoryLimit.toString());
  });

  test('GIVEN a workload in a chart nested in the guard\'s chart WHEN it breaks the quota THEN the check counts it', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    const nested = new Chart(chart, 'nested', { namespace: 'shop' });
    rawDeployment(nested, 'big', 'a:1', '4Gi');
    expect(() => (App.of(chart) as App).synthYaml()).toThrow(/peak memory limits add up to 8 GiB, above the ResourceQuota 1 GiB/);
  });

  test('GIVEN a synthesis that failed WHEN the workload is fixed and synthesized again THEN the fix is checked and emitted', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    const api = rawDeployment(chart, 'api', 'a:1', '4Gi');
    expect(() => Testing.synth(chart)).toThrow(/above the ResourceQuota 1 GiB/);
    api.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/memory', '128Mi'));
    const emitted = Testing.synth(chart).find((o: any) => o.metadata.name === api.name);
    expect(emitted.spec.template.spec.containers[0].resources.limits.memory).toBe('128Mi');
  });

  test('GIVEN another app synthesized twice during a synthesis WHEN it changes in between THEN its second synthesis checks the change', () => {
    const other = newChart();
    new MemoryGuard(other, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    const outcomes: string[] = [];
    const chart = new Chart(Testing.app(), 'outer', { namespace: 'outer' });
    new MemoryGuard(chart, 'guard', { dashboard: false });
    new ApiObject(chart, 'probe', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: {
        outcome: Lazy.any({
          produce: () => {
            outcomes.push(tryToSynth(other));
            rawDeployment(other, 'big', 'a:1', '4Gi');
            outcomes.push(tryToSynth(other));
            return 'done';
          },
        }),
      },
    });
    Testing.synth(chart);
    expect(outcomes).toEqual(['ok', expect.stringMatching(/above the ResourceQuota 1 GiB/)]);
  });

  test('GIVEN a chart policy created before the guard WHEN it fills a larger default THEN the quota check counts what is emitted', () => {
    const chart = newChart();
    new MemoryLimitPolicy(chart, 'policy', { defaultLimit: q('2Gi') });
    new MemoryGuard(chart, 'guard', { memoryBudget: q('1Gi'), dashboard: false });
    const legacy = rawDeployment(chart, 'legacy', 'legacy:1');
    expect(() => Testing.synth(chart)).toThrow(`Deployment ${legacy.name}: 2 GiB x 2 (1 replica + 1 rolling-update surge) = 4 GiB`);
  });

  test('GIVEN an enforce policy beside the guard\'s fill policy WHEN a workload has no limit THEN it checks what the fill emits', () => {
    const chart = newChart();
    new MemoryGuard(chart, 'guard', { dashboard: false });
    new MemoryLimitPolicy(chart, 'enforce', { mode: 'enforce' });
    const legacy = rawDeployment(chart, 'legacy', 'legacy:1');
    const emitted = Testing.synth(chart).find((o: any) => o.metadata.name === legacy.name);
    expect(emitted.spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
  });
});
