import * as fc from 'fast-check';
import { Memory } from '../../src/sizing/quantity';
import {
  checkSwapFile, checkSwappiness, checkSwapSize, kubeletSwapConfig, parseKubernetesVersion, swapBootstrapScript, swapUnitName,
  toKubeletConfigYaml,
} from '../../src/sizing/swap';

describe('kubeletSwapConfig', () => {
  test('GIVEN Kubernetes 1.28 WHEN configured THEN failSwapOn false, an explicit LimitedSwap and the NodeSwap gate', () => {
    const config = kubeletSwapConfig({ kubernetesVersion: '1.28' });
    expect(config).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      failSwapOn: false,
      memorySwap: { swapBehavior: 'LimitedSwap' },
      featureGates: { NodeSwap: true },
    });
    expect(toKubeletConfigYaml(config)).toBe([
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      'failSwapOn: false',
      'memorySwap:',
      '  swapBehavior: LimitedSwap',
      'featureGates:',
      '  NodeSwap: true',
      '',
    ].join('\n'));
  });

  test('GIVEN v1.29.4 (the last gated version) WHEN configured THEN the gate is set; GIVEN 1.30 THEN it is not', () => {
    expect(kubeletSwapConfig({ kubernetesVersion: 'v1.29.4' }).featureGates).toEqual({ NodeSwap: true });
    const v130 = kubeletSwapConfig({ kubernetesVersion: '1.30' });
    expect(v130.featureGates).toBeUndefined();
    expect(toKubeletConfigYaml(v130)).toBe('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\n');
  });

  test('GIVEN UnlimitedSwap on 1.29 WHEN configured THEN it is accepted; on 1.30 it is rejected with the whole message', () => {
    expect(kubeletSwapConfig({ kubernetesVersion: '1.29', swapBehavior: 'UnlimitedSwap' }).memorySwap.swapBehavior).toBe('UnlimitedSwap');
    expect(() => kubeletSwapConfig({ kubernetesVersion: '1.30', swapBehavior: 'UnlimitedSwap' })).toThrow(
      'Invalid swapBehavior "UnlimitedSwap": UnlimitedSwap was removed in Kubernetes 1.30 (KEP-2400: it can compromise the node), '
      + 'and kubernetesVersion is 1.30. Accepted: "LimitedSwap" or "NoSwap".');
  });

  test('GIVEN NoSwap on 1.28 WHEN configured THEN it is rejected; on 1.31 it is accepted', () => {
    expect(() => kubeletSwapConfig({ kubernetesVersion: '1.28', swapBehavior: 'NoSwap' })).toThrow(
      'Invalid swapBehavior "NoSwap": NoSwap exists from Kubernetes 1.30, and kubernetesVersion is 1.28. Accepted: "LimitedSwap" or "UnlimitedSwap".');
    expect(kubeletSwapConfig({ kubernetesVersion: '1.31', swapBehavior: 'NoSwap' }).memorySwap.swapBehavior).toBe('NoSwap');
  });

  test('GIVEN an unknown behaviour WHEN configured THEN the whole message lists what is accepted', () => {
    expect(() => kubeletSwapConfig({ kubernetesVersion: '1.32', swapBehavior: 'limited' })).toThrow(
      'Invalid swapBehavior "limited". Accepted: "LimitedSwap" or "NoSwap".');
  });

  test('GIVEN 1.27 or a malformed version WHEN parsed THEN the whole message', () => {
    expect(() => parseKubernetesVersion('1.27')).toThrow(
      'Invalid kubernetesVersion "1.27": node swap before 1.28 is alpha and works on cgroup v1 only. Accepted: 1.28 or later.');
    expect(() => parseKubernetesVersion('latest')).toThrow('Invalid kubernetesVersion "latest". Accepted: a Kubernetes version such as 1.30 or v1.30.2.');
    expect(parseKubernetesVersion('1.30.2-gke.1000')).toEqual({ major: 1, minor: 30 });
  });

  test('PROPERTY: for every supported minor, failSwapOn is false and the gate is set exactly below 1.30', () => {
    fc.assert(fc.property(fc.integer({ min: 28, max: 60 }), (minor) => {
      const config = kubeletSwapConfig({ kubernetesVersion: `1.${minor}` });
      expect(config.failSwapOn).toBe(false);
      expect(config.memorySwap.swapBehavior).toBe('LimitedSwap');
      expect(config.featureGates !== undefined).toBe(minor < 30);
    }));
  });
});

describe('swap size, path and swappiness', () => {
  test('GIVEN 64Mi and 64Gi (the bounds) WHEN checked THEN accepted; one MiB outside fails with the whole message', () => {
    expect(checkSwapSize(Memory.parse('64Mi')).toString()).toBe('64Mi');
    expect(checkSwapSize(Memory.parse('64Gi')).toString()).toBe('64Gi');
    expect(() => checkSwapSize(Memory.parse('63Mi'))).toThrow('Invalid size 63Mi. Accepted: from 64Mi to 64Gi.');
    expect(() => checkSwapSize(Memory.parse('65537Mi'))).toThrow('Invalid size 65537Mi. Accepted: from 64Mi to 64Gi.');
  });

  test('GIVEN a node memory WHEN checked THEN swap may not exceed it', () => {
    expect(checkSwapSize(Memory.parse('8Gi'), Memory.parse('8Gi')).toString()).toBe('8Gi');
    expect(() => checkSwapSize(Memory.parse('9Gi'), Memory.parse('8Gi'))).toThrow(
      "Invalid size 9Gi: is more than the node's memory 8Gi. Accepted: from 64Mi to 8Gi.");
  });

  test('GIVEN a size that is not whole MiB WHEN checked THEN it is rejected', () => {
    expect(() => checkSwapSize(Memory.parse('1G'))).toThrow('Invalid size 1G. Accepted: a whole number of MiB, such as 2Gi or 512Mi.');
  });

  test('GIVEN swap file paths WHEN checked THEN only plain absolute paths pass', () => {
    expect(checkSwapFile('/var/lib/swap-file')).toBe('/var/lib/swap-file');
    for (const bad of ['swapfile', '/var/../etc/passwd', '/swap file', '/swap;rm', '/var/']) {
      expect(() => checkSwapFile(bad)).toThrow(`Invalid swapFile ${JSON.stringify(bad)}. Accepted: an absolute file path of letters, digits, ".", "_", "-" and "/", such as /swapfile.`);
    }
  });

  test('GIVEN swappiness 200 WHEN checked THEN accepted; 201 fails', () => {
    expect(checkSwappiness(200)).toBe(200);
    expect(() => checkSwappiness(201)).toThrow('Invalid swappiness 201. Accepted: a whole number from 0 to 200.');
  });

  test('GIVEN swap file paths WHEN named as systemd units THEN they are escaped like systemd-escape --path', () => {
    expect(swapUnitName('/swapfile')).toBe('swapfile.swap');
    expect(swapUnitName('/var/lib/swap-file')).toBe('var-lib-swap\\x2dfile.swap');
  });
});

describe('swapBootstrapScript', () => {
  test('GIVEN 4Gi WHEN rendered THEN it creates the file with umask 077, orders the unit before the kubelet and sets swappiness', () => {
    const script = swapBootstrapScript({ size: Memory.parse('4Gi'), swappiness: 10 });
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain("swap_file='/swapfile'\n");
    expect(script).toContain('(umask 077 && { fallocate -l 4096MiB "$swap_file" ||\n      dd if=/dev/zero of="$swap_file" bs=1M count=4096; })\n');
    expect(script).toContain("cat > '/etc/systemd/system/swapfile.swap' <<'UNIT'\n[Unit]\nDescription=memguard swap file /swapfile\nBefore=kubelet.service\n\n[Swap]\nWhat=/swapfile\n\n[Install]\nWantedBy=swap.target kubelet.service\nUNIT\n");
    expect(script).toContain("printf 'vm.swappiness = %s\\n' 10 > /etc/sysctl.d/90-memguard-swap.conf\n");
    expect(script).toContain('MemorySwapMax=0\n');
    expect(script.endsWith("systemctl enable --now 'swapfile.swap'\n")).toBe(true);
  });
});
