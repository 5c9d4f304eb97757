import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Memory } from '../sizing/quantity';
import {
  checkSwapSize, DEFAULT_SWAP_FILE, DEFAULT_SWAPPINESS, kubeletSwapConfig, KubeletSwapConfig, swapBootstrapScript,
  toKubeletConfigYaml,
} from '../sizing/swap';

/** The swap size used by default (the runbook's 2G, now validated and capped). */
export const DEFAULT_SWAP_SIZE = Memory.gibibytes(2);

/** Props of {@link NodeSwap}. */
export interface NodeSwapProps {
  /**
   * The cluster's Kubernetes version: it decides the NodeSwap feature gate (1.28–1.29) and which swap behaviours exist.
   * @default '1.28' (the version cdk8s-plus-28 targets)
   * @see https://kubernetes.io/docs/concepts/cluster-administration/swap-memory-management/
   */
  readonly kubernetesVersion?: string;
  /**
   * The kubelet's `memorySwap.swapBehavior`. `UnlimitedSwap` is rejected from 1.30 (removed there), `NoSwap` before.
   * @default 'LimitedSwap'
   */
  readonly swapBehavior?: string;
  /**
   * The swap file size, from 64Mi to 64Gi, whole MiB.
   * @default DEFAULT_SWAP_SIZE (2Gi)
   */
  readonly size?: Memory;
  /**
   * The swap file on the node.
   * @default '/swapfile'
   */
  readonly swapFile?: string;
  /**
   * `vm.swappiness` (0 to 200).
   * @default 60 (the kernel default, written explicitly: Kubernetes does not set it)
   */
  readonly swappiness?: number;
  /**
   * The namespace of the ConfigMap.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * What a node needs for swap, without touching any node: the KubeletConfiguration fragment (`failSwapOn: false`,
 * `LimitedSwap`, the NodeSwap gate on 1.28–1.29) and a node-bootstrap script (swap file, systemd swap unit ordered
 * before the kubelet, `vm.swappiness`), as strings and in a ConfigMap for the node image or bootstrap pipeline.
 */
export class NodeSwap extends Construct {
  /** The KubeletConfiguration fields, as data. */
  public readonly kubeletConfig: KubeletSwapConfig;
  /** The KubeletConfiguration fragment as YAML (ConfigMap key `kubelet-config-swap.yaml`). */
  public readonly kubeletConfigYaml: string;
  /** The node-bootstrap shell script (ConfigMap key `swap-bootstrap.sh`); run it before the kubelet starts. */
  public readonly bootstrapScript: string;
  /** The ConfigMap holding both. */
  public readonly configMap: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: NodeSwapProps = {}) {
    super(scope, id);
    this.kubeletConfig = kubeletSwapConfig({ kubernetesVersion: props.kubernetesVersion ?? '1.28', swapBehavior: props.swapBehavior });
    this.kubeletConfigYaml = toKubeletConfigYaml(this.kubeletConfig);
    this.bootstrapScript = swapBootstrapScript({
      size: checkSwapSize(props.size ?? DEFAULT_SWAP_SIZE),
      swapFile: props.swapFile ?? DEFAULT_SWAP_FILE,
      swappiness: props.swappiness ?? DEFAULT_SWAPPINESS,
    });
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/name': 'node-swap', 'app.kubernetes.io/managed-by': 'memguard' },
        annotations: { 'memguard.io/usage': 'Merge kubelet-config-swap.yaml into the kubelet config and run swap-bootstrap.sh at node bootstrap, before the kubelet starts.' },
      },
      data: {
        'kubelet-config-swap.yaml': this.kubeletConfigYaml,
        'swap-bootstrap.sh': this.bootstrapScript,
      },
    });
  }
}
