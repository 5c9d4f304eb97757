import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { MemoryLimitPolicy } from '../../src/cdk8s/memory-limit-policy';
import { MemoryTunedDeployment } from '../../src/cdk8s/memory-tuned-deployment';
import { Memory } from '../../src/sizing/quantity';
import { expectValidManifests, workloadContainers } from '../helpers/manifests';

function chartWithUnlimitedWorkloads(): Chart {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  new kplus.k8s.KubeStatefulSet(chart, 'db', {
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }],
          containers: [{ name: 'db', image: 'postgres:16.4', resources: { requests: { memory: kplus.k8s.Quantity.fromString('3Gi') } } }],
        },
      },
    },
  });
  new ApiObject(chart, 'report', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'report:1' }] } } } } },
  });
  return chart;
}

describe('MemoryLimitPolicy', () => {
  test('GIVEN workloads without limits and a fill policy WHEN synthesized THEN every container, init containers included, has request and limit', () => {
    const chart = chartWithUnlimitedWorkloads();
    new MemoryLimitPolicy(chart, 'limits', { defaultLimit: Memory.parse('256Mi') });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const containers = workloadContainers(manifests);
    expect(containers.map((c: any) => [c.container.name, c.container.resources?.requests?.memory, c.container.resources?.limits?.memory])).toEqual(
      expect.arrayContaining([
        ['init', '256Mi', '256Mi'],
        ['db', '3Gi', '3Gi'],
        ['report', '256Mi', '256Mi'],
      ]));
    expect(containers).toHaveLength(3);
  });

  test('GIVEN a workload added after the policy WHEN synthesized THEN it is covered too', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new MemoryLimitPolicy(chart, 'limits');
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x:1' }] } });
    const [pod] = Testing.synth(chart);
    expect(pod.spec.containers[0].resources).toEqual({ limits: { memory: '512Mi' }, requests: { memory: '512Mi' } });
  });

  test('GIVEN cdk8s-plus defaults (512Mi request, 2048Mi limit) and raiseRequestsToLimits WHEN synthesized THEN the request is raised', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new kplus.Deployment(chart, 'plain', { containers: [{ image: 'nginx:1.27', securityContext: { user: 101 } }] });
    new MemoryLimitPolicy(chart, 'limits', { raiseRequestsToLimits: true });
    const deployment = Testing.synth(chart).find((m: any) => m.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].resources.limits.memory).toBe('2048Mi');
    expect(deployment.spec.template.spec.containers[0].resources.requests.memory).toBe('2Gi');
  });

  test('GIVEN a tuned deployment WHEN the fill policy runs THEN its explicit sizes are kept', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new MemoryTunedDeployment(chart, 'api', { containers: [{ image: 'a:1', memoryLimit: Memory.parse('768Mi') }] });
    new MemoryLimitPolicy(chart, 'limits', { raiseRequestsToLimits: true });
    const deployment = Testing.synth(chart).find((m: any) => m.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '768Mi' }, requests: { cpu: '100m', memory: '768Mi' } });
  });

  test('GIVEN enforce mode and violations WHEN synthesized THEN synthesis fails listing every container', () => {
    const chart = chartWithUnlimitedWorkloads();
    new MemoryLimitPolicy(chart, 'limits', { mode: 'enforce' });
    const [db, report] = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.name);
    expect(() => Testing.synth(chart)).toThrow([
      'Validation failed with the following errors:',
      `  [test/limits] StatefulSet shop/${db}, init container "init": has no memory limit`,
      `  [test/limits] StatefulSet shop/${db}, init container "init": has no memory request`,
      `  [test/limits] StatefulSet shop/${db}, container "db": has no memory limit`,
      `  [test/limits] CronJob shop/${report}, container "report": has no memory limit`,
      `  [test/limits] CronJob shop/${report}, container "report": has no memory request`,
    ].join('\n'));
  });

  test('GIVEN enforce mode and compliant workloads WHEN synthesized THEN it passes unchanged', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    new MemoryTunedDeployment(chart, 'api', { containers: [{ image: 'a:1' }] });
    new MemoryLimitPolicy(chart, 'limits', { mode: 'enforce', raiseRequestsToLimits: true });
    expect(Testing.synth(chart)).toHaveLength(1);
  });

  test('GIVEN an excluded workload WHEN enforced THEN it is not reported', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const pod = new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x:1' }] } });
    new MemoryLimitPolicy(chart, 'limits', { mode: 'enforce', exclude: [`Pod/${pod.name}`] });
    expect(Testing.synth(chart)).toHaveLength(1);
  });

  test('GIVEN two fill policies WHEN synthesized THEN both apply in the order they were created', () => {
    const chart = chartWithUnlimitedWorkloads();
    const name = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'CronJob')!.name;
    new MemoryLimitPolicy(chart, 'defaults', { defaultLimit: Memory.parse('256Mi') });
    new MemoryLimitPolicy(chart, 'incident', { incidentMode: { workloads: [`CronJob/${name}`], since: '2026-11-24', limitFactor: 2 } });
    const report = Testing.synth(chart).find((o: any) => o.kind === 'CronJob');
    // The first fills 256Mi; the second, in incident mode, doubles the limit of the matching workload and marks it.
    expect(report.spec.jobTemplate.spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
    expect(Object.keys(report.metadata.annotations ?? {})).toContain('memguard.io/incident-mode');
  });

  test('GIVEN an enforce policy created before a fill policy WHEN synthesized THEN it checks the filled output and passes', () => {
    const chart = chartWithUnlimitedWorkloads();
    new MemoryLimitPolicy(chart, 'enforce', { mode: 'enforce' });
    new MemoryLimitPolicy(chart, 'fill', { defaultLimit: Memory.parse('256Mi') });
    expect(workloadContainers(Testing.synth(chart)).every((c: any) => c.container.resources.limits.memory !== undefined)).toBe(true);
  });

  test('GIVEN a synthesized chart WHEN an object is rendered on its own, by App.synth or by synthYaml THEN the fill is there and each renders the object once', () => {
    const chart = chartWithUnlimitedWorkloads();
    new MemoryLimitPolicy(chart, 'limits', { defaultLimit: Memory.parse('256Mi') });
    const report = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'CronJob')!;
    const limitOf = (json: any) => json.spec.jobTemplate.spec.template.spec.containers[0].resources.limits.memory;
    Testing.synth(chart);
    expect(limitOf(report.toJson())).toBe('256Mi');
    const app = App.of(chart) as App;
    const ownRender = jest.spyOn(Object.getPrototypeOf(report), 'toJson');
    expect(app.synthYaml()).toContain('memory: 256Mi');
    expect(ownRender).toHaveBeenCalledTimes(1);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-policy-'));
    try {
      Object.assign(app, { outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
      app.synth();
      expect(ownRender).toHaveBeenCalledTimes(2);
      const file = path.join(outdir, 'test', `CronJob.${report.name}.k8s.yaml`);
      expect(limitOf(Yaml.load(file)[0])).toBe('256Mi');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('GIVEN bad props WHEN constructed THEN it throws at once', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new MemoryLimitPolicy(chart, 'limits', { mode: 'warn' as any })).toThrow('Invalid mode "warn". Accepted: one of "fill", "enforce".');
  });
});
