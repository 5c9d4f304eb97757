import { App, Chart } from 'cdk8s';
import { NodeSwap, NodeSwapProps } from '../../src/cdk8s/node-swap';
import { swapHostScript, SwapDaemonSet, SwapDaemonSetProps } from '../../src/cdk8s/swap-daemon-set';
import { Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests, restrictedPodSecurityViolations } from '../helpers/manifests';

function synthNodeSwap(props: NodeSwapProps = {}): { objects: any[]; swap: NodeSwap } {
  const chart = new Chart(new App(), 'demo');
  const swap = new NodeSwap(chart, 'swap', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, swap };
}

function synthDaemonSet(props: SwapDaemonSetProps = {}): { objects: any[]; swap: SwapDaemonSet } {
  const chart = new Chart(new App(), 'demo');
  const swap = new SwapDaemonSet(chart, 'swap', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, swap };
}

const one = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('NodeSwap', () => {
  test('GIVEN the defaults WHEN synthesized THEN one ConfigMap holds the 1.28 kubelet fragment and the bootstrap script, and nothing touches nodes', () => {
    const { objects, swap } = synthNodeSwap();
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap']);
    expect(objects[0].data).toEqual({ 'kubelet-config-swap.yaml': swap.kubeletConfigYaml, 'swap-bootstrap.sh': swap.bootstrapScript });
    expect(swap.kubeletConfigYaml).toContain('failSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\nfeatureGates:\n  NodeSwap: true\n');
    expect(swap.bootstrapScript).toContain('fallocate -l 2048MiB');
    expectRestrictedPodSecurity(objects);
  });

  test('GIVEN Kubernetes 1.30 and UnlimitedSwap WHEN constructed THEN it throws the whole message', () => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new NodeSwap(chart, 'swap', { kubernetesVersion: '1.30', swapBehavior: 'UnlimitedSwap' })).toThrow(
      'Invalid swapBehavior "UnlimitedSwap": UnlimitedSwap was removed in Kubernetes 1.30 (KEP-2400: it can compromise the node), '
      + 'and kubernetesVersion is 1.30. Accepted: "LimitedSwap" or "NoSwap".');
    expect(chart.toJson()).toEqual([]);
  });

  test('GIVEN 1.31 and an 8Gi swap file WHEN synthesized THEN there is no feature gate and the script creates 8192MiB', () => {
    const { swap } = synthNodeSwap({ kubernetesVersion: '1.31', size: Memory.parse('8Gi'), swapFile: '/var/swap' });
    expect(swap.kubeletConfig.featureGates).toBeUndefined();
    expect(swap.bootstrapScript).toContain('fallocate -l 8192MiB');
    expect(swap.bootstrapScript).toContain("cat > '/etc/systemd/system/var-swap.swap'");
  });
});

describe('SwapDaemonSet', () => {
  test('GIVEN the defaults WHEN synthesized THEN a privileged namespace, a priority quota, the script ConfigMap and the DaemonSet, all valid', () => {
    const { objects } = synthDaemonSet();
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ResourceQuota', 'ConfigMap', 'DaemonSet']);
    const namespace = one(objects, 'Namespace');
    expect(namespace.metadata.name).toBe('memguard-swap');
    expect(namespace.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'memguard-swap',
      'app.kubernetes.io/managed-by': 'memguard',
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    expect(namespace.metadata.annotations['memguard.io/privileged-reason']).toMatch(/only privileged part/);
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('memguard-swap');
    expect(one(objects, 'ResourceQuota').spec.scopeSelector).toEqual({
      matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-node-critical'] }],
    });
  });

  test('GIVEN the defaults WHEN synthesized THEN the ConfigMap holds assets/swap-host.sh byte for byte', () => {
    const { objects } = synthDaemonSet();
    expect(one(objects, 'ConfigMap').data).toEqual({ 'swap-host.sh': swapHostScript() });
  });

  test('GIVEN the defaults WHEN synthesized THEN it schedules only on opted-in Linux nodes, system-node-critical, hostPID, maxUnavailable 10%', () => {
    const { objects, swap } = synthDaemonSet();
    const ds = one(objects, 'DaemonSet');
    const pod = ds.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'memguard.io/swap': 'enabled' });
    expect(swap.nodeSelector).toEqual(pod.nodeSelector);
    expect(pod.tolerations).toBeUndefined();
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.terminationGracePeriodSeconds).toBe(5);
    expect(pod.volumes).toEqual([{ name: 'script', configMap: { name: one(objects, 'ConfigMap').metadata.name, defaultMode: 0o444 } }]);
    expect(JSON.stringify(pod)).not.toContain('hostPath');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
  });

  test('GIVEN the defaults WHEN synthesized THEN the init container is the only privileged one and runs the script on the host through nsenter', () => {
    const { objects } = synthDaemonSet();
    const pod = one(objects, 'DaemonSet').spec.template.spec;
    const all = [...pod.initContainers, ...pod.containers];
    expect(all.filter((c: any) => c.securityContext?.privileged === true).map((c: any) => c.name)).toEqual(['swap-host']);
    const init = pod.initContainers[0];
    expect(init.image).toBe('busybox:1.36.1');
    expect(init.command).toEqual(['/bin/sh', '-c', 'exec nsenter -t 1 -m -u -i -n -p -- /bin/sh -s -- "$MODE" < /memguard/swap-host.sh']);
    expect(init.env).toEqual([
      { name: 'MODE', value: 'apply' },
      { name: 'SWAP_FILE', value: '/swapfile' },
      { name: 'SWAP_SIZE_MIB', value: '2048' },
      { name: 'SWAPPINESS', value: '60' },
      { name: 'KUBELET_CONFIG', value: '/var/lib/kubelet/config.yaml' },
    ]);
    expect(init.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '50m', memory: '64Mi' } });
    expect(JSON.stringify(pod)).not.toContain('preStop');
  });

  test('GIVEN the defaults WHEN synthesized THEN the pause container passes restricted, and restricted flags only the pod-level host PID and the init container', () => {
    const { objects } = synthDaemonSet();
    const ds = one(objects, 'DaemonSet');
    const pause = ds.spec.template.spec.containers[0];
    expect(pause.image).toBe('registry.k8s.io/pause:3.9');
    expect(pause.resources).toEqual({ requests: { cpu: '5m', memory: '8Mi' }, limits: { cpu: '5m', memory: '8Mi' } });
    // The pause container alone, in a pod without host namespaces, passes restricted.
    const pauseOnly = {
      ...ds,
      spec: {
        ...ds.spec,
        template: {
          ...ds.spec.template,
          spec: {
            ...ds.spec.template.spec, hostPID: undefined, initContainers: undefined,
          },
        },
      },
    };
    expectRestrictedPodSecurity([pauseOnly]);
    const violations = restrictedPodSecurityViolations([ds]);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.filter((v) => v.includes('"pause"'))).toEqual([]);
  });

  test('GIVEN the defaults WHEN synthesized THEN checker exemptions carry their reason', () => {
    const { objects } = synthDaemonSet();
    const annotations = one(objects, 'DaemonSet').spec.template.metadata.annotations;
    expect(annotations['polaris.fairwinds.com/runAsPrivileged-exempt']).toBe('true');
    expect(annotations['polaris.fairwinds.com/hostPIDSet-exempt']).toBe('true');
    expect(annotations['kube-score/ignore']).toBe('container-security-context-privileged,container-security-context-user-group-id,pod-probes');
    expect(annotations['memguard.io/privileged-reason']).toMatch(/nsenter -t 1/);
  });

  test('GIVEN remove mode, a label, a toleration and a namespace WHEN synthesized THEN each is used', () => {
    const { objects } = synthDaemonSet({
      mode: 'remove',
      nodeLabel: 'example.com/swap',
      namespace: 'node-swap',
      size: Memory.parse('4Gi'),
      tolerations: [{ key: 'swap', operator: 'Exists', effect: 'NoSchedule' }],
    });
    const pod = one(objects, 'DaemonSet').spec.template.spec;
    expect(pod.initContainers[0].env[0]).toEqual({ name: 'MODE', value: 'remove' });
    expect(pod.initContainers[0].env[2]).toEqual({ name: 'SWAP_SIZE_MIB', value: '4096' });
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'example.com/swap': 'enabled' });
    expect(pod.tolerations).toEqual([{ key: 'swap', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(one(objects, 'Namespace').metadata.name).toBe('node-swap');
  });

  test('GIVEN bad props WHEN constructed THEN each throws its whole message before anything is emitted', () => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new SwapDaemonSet(chart, 'a', { mode: 'off' as any })).toThrow('Invalid mode "off". Accepted: one of "apply", "remove".');
    expect(() => new SwapDaemonSet(chart, 'b', { size: Memory.parse('65Gi') })).toThrow('Invalid size 65Gi. Accepted: from 64Mi to 64Gi.');
    expect(() => new SwapDaemonSet(chart, 'c', { initImage: 'busybox' })).toThrow(
      'Invalid initImage "busybox": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.');
    expect(() => new SwapDaemonSet(chart, 'd', { nodeLabel: 'bad label' })).toThrow(
      'Invalid nodeLabel "bad label". Accepted: a Kubernetes label key such as memguard.io/swap.');
    expect(() => new SwapDaemonSet(chart, 'e', { namespace: 'Swap_NS' })).toThrow('Invalid namespace "Swap_NS". Accepted: a DNS label such as memguard-swap.');
    expect(chart.toJson()).toEqual([]);
  });
});
