import { App, Chart } from 'cdk8s';
import { RedisCache, RedisCacheProps } from '../../src/cdk8s/redis-cache';
import { runCli } from '../../src/cli/program';
import { Cpu, Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

function synth(props: RedisCacheProps, namespace?: string): { objects: any[]; cache: RedisCache } {
  const app = new App();
  const chart = new Chart(app, 'demo', { namespace });
  const cache = new RedisCache(chart, 'cache', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, cache };
}

const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('RedisCache', () => {
  test('GIVEN a 1Gi limit WHEN synthesized THEN a ConfigMap, Deployment, Service and ServiceMonitor are emitted, valid and restricted', () => {
    const { objects } = synth({ limit: Memory.parse('1Gi') });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service', 'ServiceMonitor']);
    expectRestrictedPodSecurity(objects);
  });

  test('GIVEN a 1Gi limit WHEN synthesized THEN the ConfigMap holds exactly what `memguard redis --limit 1Gi` prints', async () => {
    const { objects } = synth({ limit: Memory.parse('1Gi') });
    let printed = '';
    expect(await runCli(['redis', '--limit', '1Gi'], { stdout: (t) => { printed += t; }, stderr: () => undefined })).toBe(0);
    expect(byKind(objects, 'ConfigMap')[0].data).toEqual({ 'redis.conf': printed });
  });

  test('GIVEN a 1Gi limit WHEN synthesized THEN redis has request == limit == 1Gi, a pinned image, non-root and a /data emptyDir', () => {
    const { objects } = synth({ limit: Memory.parse('1Gi') });
    const deployment = byKind(objects, 'Deployment')[0];
    const pod = deployment.spec.template.spec;
    const redis = pod.containers.find((c: any) => c.name === 'redis');
    expect(deployment.spec.replicas).toBe(1);
    expect(redis.image).toBe('redis:7.2.7-alpine');
    expect(redis.imagePullPolicy).toBe('IfNotPresent');
    expect(redis.resources).toEqual({ requests: { memory: '1Gi', cpu: '100m' }, limits: { memory: '1Gi' } });
    expect(redis.command).toEqual(['redis-server', '/etc/redis/redis.conf']);
    expect(redis.workingDir).toBe('/data');
    expect(redis.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(redis.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/redis', readOnly: true },
      { name: 'data', mountPath: '/data' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'config', configMap: { name: byKind(objects, 'ConfigMap')[0].metadata.name } },
      { name: 'data', emptyDir: { sizeLimit: '64Mi' } },
    ]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('GIVEN the default exporter WHEN synthesized THEN a pinned redis_exporter sidecar with request == limit 64Mi is scraped through the Service', () => {
    const { objects } = synth({ limit: Memory.parse('1Gi') });
    const exporter = byKind(objects, 'Deployment')[0].spec.template.spec.containers.find((c: any) => c.name === 'exporter');
    expect(exporter.image).toBe('oliver006/redis_exporter:v1.62.0');
    expect(exporter.resources).toEqual({ requests: { memory: '64Mi', cpu: '20m' }, limits: { memory: '64Mi' } });
    expect(exporter.env).toEqual([{ name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6379' }]);
    expect(byKind(objects, 'Service')[0].spec.ports.map((p: any) => [p.name, p.port])).toEqual([['redis', 6379], ['metrics', 9121]]);
  });

  test('GIVEN the default exporter WHEN synthesized THEN a ServiceMonitor labelled for kube-prometheus-stack scrapes the Service\'s metrics port', () => {
    const { objects, cache } = synth({ limit: Memory.parse('1Gi') }, 'cache-ns');
    const service = byKind(objects, 'Service')[0];
    const monitor = byKind(objects, 'ServiceMonitor')[0];
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.namespace).toBe('cache-ns');
    expect(monitor.metadata.labels).toEqual({ ...service.metadata.labels, release: 'kube-prometheus-stack' });
    expect(monitor.spec).toEqual({
      selector: { matchLabels: service.spec.selector },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    });
    // The selector matches this Service's labels, and the Service has the port the endpoint names.
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.find((p: any) => p.name === 'metrics')).toMatchObject({ port: 9121, targetPort: 'metrics' });
    expect(cache.serviceMonitor?.name).toBe(monitor.metadata.name);
    // prometheus-operator sets `service` to the Service's name: the label the rules select.
    expect(cache.alertRules()[0].expr).toContain(`service="${service.metadata.name}"`);
  });

  test('GIVEN the ServiceMonitor with a numeric endpoint port or an unknown field WHEN validated THEN the prometheus-operator schema rejects it', () => {
    const monitor = byKind(synth({ limit: Memory.parse('1Gi') }).objects, 'ServiceMonitor')[0];
    expect(() => expectValidManifests([{ ...monitor, spec: { ...monitor.spec, endpoints: [{ port: 9121 }] } }])).toThrow(/endpoints\/0\/port.*schema: must be string/);
    expect(() => expectValidManifests([{ ...monitor, spec: { ...monitor.spec, podSelector: {} } }])).toThrow(/podSelector/);
  });

  test('GIVEN serviceMonitor labels and an interval WHEN synthesized THEN they replace the release label and set the endpoint interval', () => {
    const { objects } = synth({ limit: Memory.parse('1Gi'), serviceMonitor: { labels: { prometheus: 'k8s' }, interval: '15s' } });
    const monitor = byKind(objects, 'ServiceMonitor')[0];
    expect(monitor.metadata.labels.prometheus).toBe('k8s');
    expect(monitor.metadata.labels.release).toBeUndefined();
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s' }]);
  });

  test('GIVEN serviceMonitor false WHEN synthesized THEN no ServiceMonitor is emitted and the signals stay', () => {
    const { objects, cache } = synth({ limit: Memory.parse('1Gi'), serviceMonitor: false });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(cache.serviceMonitor).toBeUndefined();
    expect(cache.alertRules()).toHaveLength(5);
  });

  test('GIVEN a bad serviceMonitor interval WHEN constructed THEN it throws the whole message before emitting anything', () => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new RedisCache(chart, 'cache', { limit: Memory.parse('1Gi'), serviceMonitor: { interval: '30 seconds' } })).toThrow(
      'Invalid serviceMonitor.interval "30 seconds". Accepted: a Prometheus duration such as 15s, 30s or 1m.');
    expect(chart.toJson()).toEqual([]);
  });

  test('GIVEN a password Secret WHEN synthesized THEN redis and the exporter read it from the Secret and no value is in the manifests', () => {
    const { objects } = synth({ limit: Memory.parse('512Mi'), password: { secretName: 'redis-auth', key: 'pw' } });
    const containers = byKind(objects, 'Deployment')[0].spec.template.spec.containers;
    const ref = { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'pw' } } };
    expect(containers[0].command).toEqual(['redis-server', '/etc/redis/redis.conf', '--requirepass', '$(REDIS_PASSWORD)']);
    expect(containers[0].env).toEqual([ref, { name: 'REDISCLI_AUTH', value: '$(REDIS_PASSWORD)' }]);
    expect(containers[1].env).toContainEqual(ref);
    expect(byKind(objects, 'Secret')).toEqual([]);
    expect(byKind(objects, 'ConfigMap')[0].data['redis.conf']).not.toMatch(/^requirepass/m);
  });

  test('GIVEN exporter false and a CPU limit WHEN synthesized THEN one container with that CPU limit, no ServiceMonitor, and no signals', () => {
    const { objects, cache } = synth({ limit: Memory.parse('256Mi'), exporter: false, cpu: Cpu.millis(250), cpuLimit: Cpu.cores(1) });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(byKind(objects, 'Service')[0].spec.ports.map((p: any) => p.name)).toEqual(['redis']);
    const containers = byKind(objects, 'Deployment')[0].spec.template.spec.containers;
    expect(containers).toHaveLength(1);
    expect(containers[0].resources).toEqual({ requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '256Mi', cpu: '1' } });
    expect(cache.alertRules()).toEqual([]);
    expect(cache.dashboardSection().panels).toEqual([]);
  });

  test('GIVEN a maxmemory of 1Gi WHEN synthesized THEN the limit is derived as 1366Mi', () => {
    const { objects, cache } = synth({ maxmemory: Memory.parse('1Gi') });
    expect(byKind(objects, 'Deployment')[0].spec.template.spec.containers[0].resources.limits.memory).toBe('1366Mi');
    expect(cache.redisConf).toContain('maxmemory 1024mb\n');
  });

  test('GIVEN a chart namespace WHEN the signals are read THEN they are scoped to that namespace and the Service', () => {
    const { cache } = synth({ limit: Memory.parse('1Gi') }, 'cache-ns');
    const rules = cache.alertRules();
    expect(rules.map((r) => r.alert)).toEqual(['RedisMemoryNearMaxmemory', 'RedisEvictionsHigh', 'RedisDown', 'RedisExporterDown', 'RedisExporterAbsent']);
    expect(rules[4].expr).toBe(`absent(up{namespace="cache-ns", service="${cache.serviceName}"})`);
    expect(rules[0].expr).toBe(`redis_memory_used_bytes{namespace="cache-ns", service="${cache.serviceName}"}\n  / on (namespace, service, pod, instance)\n(redis_memory_max_bytes{namespace="cache-ns", service="${cache.serviceName}"} > 0)\n> 0.9`);
    expect(cache.dashboardSection().title).toBe(`redis ${cache.serviceName}`);
    expect(cache.dashboardSection().panels.map((p) => p.title)).toEqual([
      'Used memory vs maxmemory', 'Used / maxmemory', 'Evicted keys per second', 'Keyspace hit ratio', 'Redis and exporter up',
    ]);
  });

  test('GIVEN a floating image tag WHEN constructed THEN it throws the whole message before emitting anything', () => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new RedisCache(chart, 'cache', { limit: Memory.parse('1Gi'), image: 'redis:latest' })).toThrow(
      'Invalid image "redis:latest": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest, such as redis:7.2.7-alpine.');
    expect(() => new RedisCache(chart, 'cache2', { limit: Memory.parse('1Gi'), exporter: { image: 'oliver006/redis_exporter' } })).toThrow(
      'Invalid exporter.image "oliver006/redis_exporter": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest, such as oliver006/redis_exporter:v1.62.0.');
    expect(chart.toJson()).toEqual([]);
  });

  test('GIVEN a root uid WHEN constructed THEN it throws the whole message', () => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new RedisCache(chart, 'cache', { limit: Memory.parse('1Gi'), runAsUser: 0 })).toThrow(
      'Invalid runAsUser 0. Accepted: a whole number from 1 to 2147483647 (not root).');
  });
});
