import { checkInteger, InputError } from './errors';
import { Memory } from './quantity';

/**
 * The kubelet's `memorySwap.swapBehavior`. `UnlimitedSwap` exists only on 1.28–1.29; `NoSwap` only from 1.30.
 * @see https://kubernetes.io/docs/concepts/cluster-administration/swap-memory-management/
 */
export type SwapBehavior = 'LimitedSwap' | 'UnlimitedSwap' | 'NoSwap';

/** The oldest Kubernetes minor version memguard configures swap for (NodeSwap beta; cgroup v1 swap dropped). */
export const MIN_SWAP_KUBERNETES_MINOR = 28;
/** The smallest swap size accepted. */
export const MIN_SWAP_SIZE = Memory.mebibytes(64);
/** The largest swap size accepted: more swap than this only turns OOM kills into a node that thrashes for minutes. */
export const MAX_SWAP_SIZE = Memory.gibibytes(64);
/** The swap file used by default (the path of the Kubernetes swap tutorial). */
export const DEFAULT_SWAP_FILE = '/swapfile';
/** `vm.swappiness` by default: the kernel default, made explicit (Kubernetes does not set it). */
export const DEFAULT_SWAPPINESS = 60;

/** A Kubernetes version, `major.minor`. */
export interface KubernetesVersion {
  readonly major: number;
  readonly minor: number;
}

/** Parses `1.30`, `v1.30.2` or `1.30.2-gke.100` into major and minor. */
export function parseKubernetesVersion(text: string, field = 'kubernetesVersion'): KubernetesVersion {
  const match = typeof text === 'string' ? /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim()) : null;
  if (!match) throw new InputError({ field, value: text, accepted: 'a Kubernetes version such as 1.30 or v1.30.2' });
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (version.major !== 1 || version.minor < MIN_SWAP_KUBERNETES_MINOR) {
    throw new InputError({
      field,
      value: text,
      accepted: `1.${MIN_SWAP_KUBERNETES_MINOR} or later`,
      reason: 'node swap before 1.28 is alpha and works on cgroup v1 only',
    });
  }
  return version;
}

/** What the kubelet swap configuration is computed from. */
export interface KubeletSwapInput {
  /** The cluster's Kubernetes version, such as `1.30`. */
  readonly kubernetesVersion: string;
  /**
   * How pods may use swap.
   * @default 'LimitedSwap'
   */
  readonly swapBehavior?: string;
}

/** The KubeletConfiguration fields that let a node run with swap. */
export interface KubeletSwapConfig {
  readonly apiVersion: 'kubelet.config.k8s.io/v1beta1';
  readonly kind: 'KubeletConfiguration';
  /** The kubelet refuses to start with swap on unless this is false. */
  readonly failSwapOn: false;
  readonly memorySwap: { readonly swapBehavior: SwapBehavior };
  /** Only on 1.28–1.29, where the NodeSwap gate is beta but off by default. */
  readonly featureGates?: { readonly NodeSwap: true };
}

/**
 * The KubeletConfiguration fragment for swap: `failSwapOn: false`, an explicit `swapBehavior` (on 1.28–1.29 an unset
 * one means UnlimitedSwap), and `featureGates.NodeSwap: true` on 1.28–1.29. UnlimitedSwap is rejected from 1.30, where
 * the kubelet no longer knows it.
 */
export function kubeletSwapConfig(input: KubeletSwapInput): KubeletSwapConfig {
  const version = parseKubernetesVersion(input.kubernetesVersion);
  const behavior = input.swapBehavior ?? 'LimitedSwap';
  const gated = version.minor < 30;
  const allowed: SwapBehavior[] = gated ? ['LimitedSwap', 'UnlimitedSwap'] : ['LimitedSwap', 'NoSwap'];
  if (!(allowed as string[]).includes(behavior)) {
    const accepted = allowed.map((a) => JSON.stringify(a)).join(' or ');
    let reason: string | undefined;
    if (behavior === 'UnlimitedSwap') {
      reason = `UnlimitedSwap was removed in Kubernetes 1.30 (KEP-2400: it can compromise the node), and kubernetesVersion is ${input.kubernetesVersion}`;
    } else if (behavior === 'NoSwap') {
      reason = `NoSwap exists from Kubernetes 1.30, and kubernetesVersion is ${input.kubernetesVersion}`;
    }
    throw new InputError({ field: 'swapBehavior', value: behavior, accepted, reason });
  }
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failSwapOn: false,
    memorySwap: { swapBehavior: behavior as SwapBehavior },
    ...(gated ? { featureGates: { NodeSwap: true as const } } : {}),
  };
}

/** The fragment as YAML, to merge into the node's kubelet config file (or a kubeadm `KubeletConfiguration` patch). */
export function toKubeletConfigYaml(config: KubeletSwapConfig): string {
  const lines = [
    `apiVersion: ${config.apiVersion}`,
    `kind: ${config.kind}`,
    `failSwapOn: ${config.failSwapOn}`,
    'memorySwap:',
    `  swapBehavior: ${config.memorySwap.swapBehavior}`,
  ];
  if (config.featureGates) lines.push('featureGates:', `  NodeSwap: ${config.featureGates.NodeSwap}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Validates a swap size: whole MiB, from 64Mi to 64Gi, and at most the node's RAM when that is known (more swap than
 * RAM only delays the OOM killer while the node thrashes).
 */
export function checkSwapSize(size: Memory, nodeMemory?: Memory, field = 'size'): Memory {
  if (size.bytes % Memory.mebibytes(1).bytes !== 0) {
    throw new InputError({ field, value: size, accepted: 'a whole number of MiB, such as 2Gi or 512Mi' });
  }
  const cap = nodeMemory ? Memory.min(MAX_SWAP_SIZE, nodeMemory) : MAX_SWAP_SIZE;
  if (size.isLessThan(MIN_SWAP_SIZE) || size.isGreaterThan(cap)) {
    const reason = nodeMemory && size.isGreaterThan(nodeMemory) ? `is more than the node's memory ${nodeMemory}` : undefined;
    throw new InputError({ field, value: size, accepted: `from ${MIN_SWAP_SIZE} to ${cap}`, reason });
  }
  return size;
}

/** Validates an absolute host path for the swap file (plain characters only: it is written into shell and units). */
export function checkSwapFile(path: string, field = 'swapFile'): string {
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._/-]+$/.test(path) || path.endsWith('/') || path.split('/').some((p) => p === '..' || p === '.')) {
    throw new InputError({ field, value: path, accepted: 'an absolute file path of letters, digits, ".", "_", "-" and "/", such as /swapfile' });
  }
  return path;
}

/** Validates `vm.swappiness` (0 to 200 since Linux 5.8). */
export function checkSwappiness(value: number, field = 'swappiness'): number {
  return checkInteger(field, value, 0, 200);
}

/** The systemd unit name of a swap file (`systemd-escape --path --suffix=swap`). */
export function swapUnitName(swapFile: string): string {
  const escaped = swapFile.replace(/^\/+/, '').split('/').map((part) => part.replace(/[^A-Za-z0-9:_.]|^\./g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('-');
  return `${escaped}.swap`;
}

/** What the node-bootstrap snippet is computed from. */
export interface SwapBootstrapInput {
  /** The swap file size (validated with {@link checkSwapSize}). */
  readonly size: Memory;
  /**
   * The swap file.
   * @default '/swapfile'
   */
  readonly swapFile?: string;
  /**
   * `vm.swappiness`.
   * @default 60
   */
  readonly swappiness?: number;
}

/**
 * A node-bootstrap shell snippet (cloud-init `runcmd`, a node image build step, or user data) that provisions swap
 * BEFORE the kubelet starts, as KEP-2400 recommends: a swap file, a systemd swap unit ordered before kubelet.service,
 * `vm.swappiness`, and `MemorySwapMax=0` for system.slice so the kubelet and the runtime never swap. Idempotent.
 */
export function swapBootstrapScript(input: SwapBootstrapInput): string {
  const size = checkSwapSize(input.size);
  const file = checkSwapFile(input.swapFile ?? DEFAULT_SWAP_FILE);
  const swappiness = checkSwappiness(input.swappiness ?? DEFAULT_SWAPPINESS);
  const unit = swapUnitName(file);
  const mib = size.toMebibytes('floor');
  return `#!/bin/sh
# Generated by memguard: provision ${size} of swap at node bootstrap,
# before the kubelet starts. The kubelet also needs memguard's
# KubeletConfiguration fragment (failSwapOn: false, LimitedSwap).
set -eu
swap_file='${file}'
if ! swapon --show=NAME --noheadings | grep -qxF "$swap_file"; then
  if [ ! -f "$swap_file" ]; then
    mkdir -p "$(dirname "$swap_file")"
    # umask 077: swap can hold secrets, so only root may ever read the file.
    (umask 077 && { fallocate -l ${mib}MiB "$swap_file" ||
      dd if=/dev/zero of="$swap_file" bs=1M count=${mib}; })
    chmod 600 "$swap_file"
    mkswap "$swap_file"
  fi
fi
cat > '/etc/systemd/system/${unit}' <<'UNIT'
[Unit]
Description=memguard swap file ${file}
Before=kubelet.service

[Swap]
What=${file}

[Install]
WantedBy=swap.target kubelet.service
UNIT
mkdir -p /etc/systemd/system/system.slice.d
cat > /etc/systemd/system/system.slice.d/90-memguard-noswap.conf <<'SLICE'
# The kubelet and the container runtime must never swap.
[Slice]
MemorySwapMax=0
SLICE
printf 'vm.swappiness = %s\\n' ${swappiness} > /etc/sysctl.d/90-memguard-swap.conf
sysctl -p /etc/sysctl.d/90-memguard-swap.conf
systemctl daemon-reload
systemctl enable --now '${unit}'
`;
}
