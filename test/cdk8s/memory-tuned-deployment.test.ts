import { Chart, Testing } from 'cdk8s';
import { MemoryTunedDeployment } from '../../src/cdk8s/memory-tuned-deployment';
import { Cpu, Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

function synth(build: (chart: Chart) => void): any[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  build(chart);
  const manifests = Testing.synth(chart);
  expectValidManifests(manifests);
  expectRestrictedPodSecurity(manifests);
  return manifests;
}

const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));

describe('MemoryTunedDeployment', () => {
  test('GIVEN a JVM container with a 2Gi limit WHEN synthesized THEN request == limit and the JVM heap follows the limit', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'api', {
      containers: [{ image: 'eclipse-temurin:21-jre', runtime: 'jvm', memoryLimit: Memory.parse('2Gi') }],
    }));
    const deployment = manifests.find((m) => m.kind === 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.name).toBe('main');
    expect(container.resources).toEqual({ limits: { memory: '2048Mi' }, requests: { cpu: '100m', memory: '2048Mi' } });
    expect(envOf(container)).toEqual({ JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError' });
    expect(manifests.filter((m) => m.kind === 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('GIVEN user env that overlaps the derived env WHEN synthesized THEN the user value wins', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', {
      containers: [{ image: 'node:20', runtime: 'node', memoryLimit: Memory.parse('1Gi'), env: { NODE_OPTIONS: '--max-old-space-size=512', PORT: '8080' } }],
    }));
    const container = manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0];
    expect(envOf(container)).toEqual({ NODE_OPTIONS: '--max-old-space-size=512', PORT: '8080' });
  });

  test('GIVEN several runtimes WHEN synthesized THEN each container gets its own derived environment', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'multi', {
      containers: [
        { image: 'golang-app:1', runtime: 'go', memoryLimit: Memory.parse('1Gi') },
        { image: 'python-app:1', name: 'worker', runtime: 'python', memoryLimit: Memory.parse('512Mi') },
        { image: 'dotnet-app:1', runtime: 'dotnet', memoryLimit: Memory.parse('256Mi') },
      ],
    }));
    const [go, python, dotnet] = manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers;
    expect(envOf(go)).toEqual({ GOMEMLIMIT: '921MiB' });
    expect(python.name).toBe('worker');
    expect(envOf(python)).toEqual({ MALLOC_ARENA_MAX: '2', PYTHONFAULTHANDLER: '1', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' });
    expect(dotnet.name).toBe('container-2');
    expect(envOf(dotnet)).toEqual({ DOTNET_GCHeapHardLimitPercent: '0x4B' });
  });

  test('GIVEN a port and a health path WHEN synthesized THEN readiness and liveness probe it over HTTP', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', {
      containers: [{ image: 'app:1', port: 8080, healthCheckPath: '/healthz' }],
    }));
    const container = manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
  });

  test('GIVEN a port without a path WHEN synthesized THEN the probes are TCP', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', { containers: [{ image: 'app:1', port: 5000 }] }));
    const container = manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 5000 });
  });

  test('GIVEN the defaults WHEN synthesized THEN the pod meets the restricted profile with a writable /tmp', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', { containers: [{ image: 'app:1', user: 10001 }] }));
    const pod = manifests.find((m) => m.kind === 'Deployment').spec.template.spec;
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/tmp', name: 'main-writable-0' }]);
    expect(pod.volumes).toEqual([{ emptyDir: {}, name: 'main-writable-0' }]);
    expect(pod.containers[0].resources.limits.memory).toBe('512Mi');
  });

  test('GIVEN 3 replicas WHEN synthesized THEN a PodDisruptionBudget allows one pod down and selects the pods', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', { replicas: 3, containers: [{ image: 'app:1' }] }));
    const deployment = manifests.find((m) => m.kind === 'Deployment');
    const pdb = manifests.find((m) => m.kind === 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.metadata.namespace).toBe('shop');
  });

  test('GIVEN a limit that is not whole MiB WHEN synthesized THEN the limit rounds down and the env follows the rounded limit', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const d = new MemoryTunedDeployment(chart, 'web', { containers: [{ image: 'a:1', runtime: 'node', memoryLimit: Memory.parse('1G') }] });
    expect(d.containers[0].memory.limit.toString()).toBe('953Mi');
    expect(d.containers[0].env.NODE_OPTIONS).toBe('--max-old-space-size=714');
  });

  test('GIVEN the signal methods WHEN called THEN the PromQL is scoped to this Deployment\'s pods', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const d = new MemoryTunedDeployment(chart, 'web', { containers: [{ image: 'a:1' }] });
    expect(d.metricMemoryWorkingSet()).toBe(
      `max by (namespace, pod, container) (container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", container!="", container!="POD", image!="", namespace="shop", pod=~"${d.name}-[a-z0-9]+-[a-z0-9]{5}"})`);
    const added: any[] = [];
    const rule = d.alertOnMemoryNearLimit({ thresholdPercent: 90, forDuration: '10m', severity: 'critical', addTo: { addRules: (group, rules) => added.push([group, rules]) } });
    expect(rule.alert).toBe('WorkloadMemoryNearLimit');
    expect(rule.expr).toContain('/ on (namespace, pod, container)');
    expect(rule.expr.endsWith('> 0.9')).toBe(true);
    expect(rule.for).toBe('10m');
    expect(rule.labels).toEqual({ severity: 'critical', workload: d.name });
    expect(added).toEqual([[`memguard-${d.name}`, [rule]]]);
    expect(d.dashboardSection().panels.map((p) => p.title)).toEqual(['Working set by container', 'Working set / limit']);
  });

  test('GIVEN bad alert options WHEN an alert is asked for THEN each is rejected by name', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const d = new MemoryTunedDeployment(chart, 'web', { containers: [{ image: 'a:1' }] });
    expect(() => d.alertOnMemoryNearLimit({ thresholdPercent: 101 })).toThrow('Invalid thresholdPercent 101. Accepted: a number from 1% to 100%.');
    expect(() => d.alertOnMemoryNearLimit({ forDuration: '5 minutes' })).toThrow('Invalid forDuration "5 minutes". Accepted: a Prometheus duration such as 30s, 5m or 1h.');
    expect(() => d.alertOnMemoryNearLimit({ severity: 'page' as any })).toThrow('Invalid severity "page". Accepted: one of "info", "warning", "critical".');
  });

  test('GIVEN incident mode on a node workload WHEN synthesized THEN heap snapshots go to an on-disk emptyDir, the limit is bumped and the workload is marked', () => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', {
      containers: [{ image: 'node:20', runtime: 'node', memoryLimit: Memory.parse('1Gi') }],
      incidentMode: { since: '2026-11-23', reason: 'INC-42' },
    }));
    const deployment = manifests.find((m) => m.kind === 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.resources.limits.memory).toBe('1536Mi');
    expect(container.resources.requests.memory).toBe('1536Mi');
    // The heap stays sized for the original 1Gi: the bump is room for the snapshot.
    expect(envOf(container).NODE_OPTIONS).toBe('--max-old-space-size=768 --heapsnapshot-near-heap-limit=1 --diagnostic-dir=/memguard-diagnostics');
    expect(container.volumeMounts).toContainEqual({ mountPath: '/memguard-diagnostics', name: 'main-memguard-diagnostics' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'main-memguard-diagnostics', emptyDir: { sizeLimit: '1024Mi' } });
    expect(deployment.metadata.annotations).toEqual({ 'memguard.io/incident-mode': 'since 2026-11-23: INC-42', 'memguard.io/incident-limit-factor': '1.5' });
    expect(deployment.spec.template.metadata.annotations).toEqual(deployment.metadata.annotations);
  });

  test('GIVEN incident mode on a python workload WHEN synthesized THEN tracemalloc is on, and off again without it', () => {
    const on = synth((chart) => new MemoryTunedDeployment(chart, 'w', {
      containers: [{ image: 'py:3', runtime: 'python', memoryLimit: Memory.parse('1Gi') }], incidentMode: { since: '2026-11-23' },
    })).find((m) => m.kind === 'Deployment');
    expect(envOf(on.spec.template.spec.containers[0])).toMatchObject({ PYTHONTRACEMALLOC: '25', PYTHONFAULTHANDLER: '1', MALLOC_ARENA_MAX: '2' });
    expect(on.spec.template.spec.containers[0].resources.limits.memory).toBe('1639Mi');
    const off = synth((chart) => new MemoryTunedDeployment(chart, 'w', { containers: [{ image: 'py:3', runtime: 'python' }] })).find((m) => m.kind === 'Deployment');
    expect(envOf(off.spec.template.spec.containers[0])).not.toHaveProperty('PYTHONTRACEMALLOC');
    expect(off.metadata.annotations).toBeUndefined();
  });

  test('GIVEN incident mode without a date WHEN constructed THEN it throws naming the field', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    expect(() => new MemoryTunedDeployment(chart, 'w', { containers: [{ image: 'a:1' }], incidentMode: { since: 'yesterday' } })).toThrow(
      'Invalid incidentMode.since "yesterday". Accepted: a date "YYYY-MM-DD" or an ISO 8601 time.');
  });

  test.each([
    'registry.local:5000/library/node:20.19.5-alpine3.22',
    `ghcr.io/org/app@sha256:${'0'.repeat(64)}`,
  ])('GIVEN the pinned image %s WHEN synthesized THEN the container runs it', (image) => {
    const manifests = synth((chart) => new MemoryTunedDeployment(chart, 'web', { containers: [{ image }] }));
    expect(manifests.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].image).toBe(image);
  });

  test.each([
    [{ containers: [] }, 'Invalid containers []. Accepted: at least one container.'],
    [{ containers: [{ image: '' }] }, 'Invalid containers[0].image "". Accepted: an image reference such as ghcr.io/org/app:1.2.3.'],
    [{ containers: [{ image: 'a:1', runtime: 'ruby' }] }, 'Invalid containers[0].runtime "ruby". Accepted: one of "python", "node", "jvm", "go", "dotnet", "generic".'],
    [{ containers: [{ image: 'a:1', memoryLimit: Memory.parse('1Gi'), memoryRequest: Memory.parse('2Gi') }] },
      'Invalid containers[0].memoryRequest "2Gi": it is above containers[0].memoryLimit 1Gi.'],
    [{ containers: [{ image: 'a:1', port: 70000 }] }, 'Invalid containers[0].port 70000. Accepted: a whole number from 1 to 65535.'],
    [{ containers: [{ image: 'a:1', cpuRequest: Cpu.parse('2'), cpuLimit: Cpu.parse('1') }] }, 'Invalid containers[0].cpuRequest "2": it is above cpuLimit 1.'],
    [{ containers: [{ image: 'a:1', name: 'x' }, { image: 'b:1', name: 'x' }] }, 'Invalid containers[].name "x". Accepted: unique container names.'],
    [{ replicas: -1, containers: [{ image: 'a:1' }] }, 'Invalid replicas -1. Accepted: a whole number from 0 to 10000.'],
    [{ containers: [{ image: 'app' }] }, 'Invalid containers[0].image "app": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
    [{ containers: [{ image: 'a:1' }, { image: 'ghcr.io/org/app:latest' }] }, 'Invalid containers[1].image "ghcr.io/org/app:latest": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
    [{ containers: [{ image: 'registry.local:5000/app' }] }, 'Invalid containers[0].image "registry.local:5000/app": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
    [{ containers: [{ image: 'a:1', user: 0 }] }, 'Invalid containers[0].user 0. Accepted: a whole number from 1 to 2147483647.'],
    [{ containers: [{ image: 'a:1', user: 1.5 }] }, 'Invalid containers[0].user 1.5. Accepted: a whole number from 1 to 2147483647.'],
    [{ containers: [{ image: 'a:1', user: 2147483648 }] }, 'Invalid containers[0].user 2147483648. Accepted: a whole number from 1 to 2147483647.'],
    [{ namespace: 'Bad Name', containers: [{ image: 'a:1' }] }, 'Invalid namespace "Bad Name". Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.'],
    [{ namespace: '', containers: [{ image: 'a:1' }] }, 'Invalid namespace "". Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.'],
  ])('GIVEN bad props %# WHEN constructed THEN it throws "%s" and emits nothing', (props, message) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    expect(() => new MemoryTunedDeployment(chart, 'web', props as any)).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});
