import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_SWAP_SIZE } from './node-swap';
import { checkPinnedImage, hardenedContainer } from './workload-parts';
import { checkOneOf, InputError } from '../sizing/errors';
import { Memory } from '../sizing/quantity';
import { checkSwapFile, checkSwappiness, checkSwapSize, DEFAULT_SWAP_FILE, DEFAULT_SWAPPINESS } from '../sizing/swap';

/** The host script, shipped in the package at `assets/swap-host.sh` (next to `lib/` and `src/`). */
export const SWAP_HOST_SCRIPT_PATH = path.join(__dirname, '..', '..', 'assets', 'swap-host.sh');

/** The host script's text, read at synth time so the ConfigMap always holds the file in the package. */
export function swapHostScript(): string {
  return fs.readFileSync(SWAP_HOST_SCRIPT_PATH, 'utf8');
}

/** The node label a node must carry for the DaemonSet to run there. */
export const DEFAULT_SWAP_NODE_LABEL = 'memguard.io/swap';
/** The namespace the DaemonSet gets by default (created by the construct, Pod Security level privileged). */
export const DEFAULT_SWAP_NAMESPACE = 'memguard-swap';
/** The init container image: it only needs `nsenter` (everything else runs from the host). */
export const DEFAULT_SWAP_INIT_IMAGE = 'busybox:1.36.1';
/** The main container image: it only keeps the pod Running. */
export const DEFAULT_PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';

/** What the DaemonSet's init container does on each node. */
export type SwapDaemonSetMode = 'apply' | 'remove';

/** Props of {@link SwapDaemonSet}. */
export interface SwapDaemonSetProps {
  /**
   * `apply` provisions swap; `remove` turns it off and removes the file, the fstab line and the sysctl file (see the
   * removal procedure: drain each node first). There is deliberately no swapoff in preStop.
   * @default 'apply'
   */
  readonly mode?: SwapDaemonSetMode;
  /**
   * The swap file size, from 64Mi to 64Gi; the host script also refuses more than the node's RAM or half its free disk.
   * @default DEFAULT_SWAP_SIZE (2Gi)
   */
  readonly size?: Memory;
  /**
   * The swap file on the host (on ext4 or xfs; the script refuses overlay and tmpfs).
   * @default '/swapfile'
   */
  readonly swapFile?: string;
  /**
   * `vm.swappiness` (0 to 200).
   * @default 60
   */
  readonly swappiness?: number;
  /**
   * The kubelet's config file on the host; the script refuses unless it sets `failSwapOn: false`.
   * @default '/var/lib/kubelet/config.yaml'
   */
  readonly kubeletConfigPath?: string;
  /**
   * The node label that opts a node in: the DaemonSet runs only on nodes labelled `<nodeLabel>=enabled`.
   * @default 'memguard.io/swap'
   */
  readonly nodeLabel?: string;
  /**
   * Tolerations, for the taints of the nodes you opt in (the KEP recommends tainting swap nodes). None for the control
   * plane by default: swap belongs on workers.
   * @default - none
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * The namespace, created by this construct and labelled `pod-security.kubernetes.io/enforce: privileged`.
   * @default 'memguard-swap'
   */
  readonly namespace?: string;
  /**
   * The init container image (needs `nsenter`), pinned.
   * @default DEFAULT_SWAP_INIT_IMAGE
   */
  readonly initImage?: string;
  /**
   * The pause image, pinned.
   * @default DEFAULT_PAUSE_IMAGE
   */
  readonly pauseImage?: string;
  /**
   * The pods' priority class.
   * @default 'system-node-critical'
   */
  readonly priorityClassName?: string;
}

const PRIVILEGED_REASON = 'The init container enters the host (nsenter -t 1, needs hostPID and privileged) to provision '
  + 'a swap file; it is the only privileged part. The pause container is non-root and read-only.';

/**
 * The opt-in swap DaemonSet, for clusters whose node images cannot change: on nodes labelled `<nodeLabel>=enabled`,
 * a privileged init container (the only privileged part) enters the host with `nsenter -t 1 -m -u -i -n -p` and runs
 * the idempotent, fail-closed host script `assets/swap-host.sh` from a ConfigMap; a non-root pause container then keeps
 * the pod Running (no crash loop). It lives in its own namespace at Pod Security level `privileged`.
 */
export class SwapDaemonSet extends Construct {
  public readonly namespace: k8s.KubeNamespace;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** Lets pods of priority `system-node-critical` run outside kube-system where the API server limits them. */
  public readonly priorityQuota: k8s.KubeResourceQuota;
  /** The namespace's name. */
  public readonly namespaceName: string;
  /** The label a node needs (`<nodeLabel>=enabled`). */
  public readonly nodeSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SwapDaemonSetProps = {}) {
    super(scope, id);
    const mode = checkOneOf<SwapDaemonSetMode>('mode', props.mode ?? 'apply', ['apply', 'remove']);
    const size = checkSwapSize(props.size ?? DEFAULT_SWAP_SIZE);
    const swapFile = checkSwapFile(props.swapFile ?? DEFAULT_SWAP_FILE);
    const swappiness = checkSwappiness(props.swappiness ?? DEFAULT_SWAPPINESS);
    const kubeletConfig = checkSwapFile(props.kubeletConfigPath ?? '/var/lib/kubelet/config.yaml', 'kubeletConfigPath');
    const nodeLabel = props.nodeLabel ?? DEFAULT_SWAP_NODE_LABEL;
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(nodeLabel) || nodeLabel.length > 316) {
      throw new InputError({ field: 'nodeLabel', value: nodeLabel, accepted: 'a Kubernetes label key such as memguard.io/swap' });
    }
    const initImage = props.initImage ?? DEFAULT_SWAP_INIT_IMAGE;
    checkPinnedImage('initImage', initImage);
    const pauseImage = props.pauseImage ?? DEFAULT_PAUSE_IMAGE;
    checkPinnedImage('pauseImage', pauseImage);
    const namespaceName = props.namespace ?? DEFAULT_SWAP_NAMESPACE;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespaceName)) {
      throw new InputError({ field: 'namespace', value: namespaceName, accepted: 'a DNS label such as memguard-swap' });
    }
    const priorityClassName = props.priorityClassName ?? 'system-node-critical';
    const script = swapHostScript();

    this.namespaceName = namespaceName;
    this.nodeSelector = { 'kubernetes.io/os': 'linux', [nodeLabel]: 'enabled' };
    const labels = { 'app.kubernetes.io/name': 'memguard-swap', 'app.kubernetes.io/managed-by': 'memguard' };

    this.namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespaceName,
        labels: {
          ...labels,
          // The documented exception: privileged, hostPID and nsenter are what provisioning swap on a host takes.
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
        annotations: { 'memguard.io/privileged-reason': PRIVILEGED_REASON },
      },
    });

    this.priorityQuota = new k8s.KubeResourceQuota(this, 'CriticalPods', {
      metadata: { namespace: namespaceName, labels },
      spec: {
        hard: { pods: k8s.Quantity.fromString('10000') },
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClassName] }] },
      },
    });

    this.configMap = new k8s.KubeConfigMap(this, 'Script', {
      metadata: { namespace: namespaceName, labels },
      data: { 'swap-host.sh': script },
    });

    const exemptions = {
      'polaris.fairwinds.com/runAsPrivileged-exempt': 'true',
      'polaris.fairwinds.com/hostPIDSet-exempt': 'true',
      'polaris.fairwinds.com/privilegeEscalationAllowed-exempt': 'true',
      'polaris.fairwinds.com/runAsRootAllowed-exempt': 'true',
      'kube-score/ignore': 'container-security-context-privileged,container-security-context-user-group-id,pod-probes',
      'memguard.io/privileged-reason': PRIVILEGED_REASON,
    };

    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { namespace: namespaceName, labels, annotations: exemptions },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: {
          metadata: { labels, annotations: { ...exemptions, 'memguard.io/swap-mode': mode } },
          spec: {
            // nsenter -t 1 needs the host's PID 1.
            hostPid: true,
            nodeSelector: { ...this.nodeSelector },
            tolerations: props.tolerations,
            priorityClassName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 5,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            initContainers: [{
              name: 'swap-host',
              image: initImage,
              imagePullPolicy: 'IfNotPresent',
              // The script is read from the ConfigMap before nsenter, then runs in the host's namespaces with the host's
              // own tools. No hostPath: the host is reached through PID 1.
              command: ['/bin/sh', '-c', 'exec nsenter -t 1 -m -u -i -n -p -- /bin/sh -s -- "$MODE" < /memguard/swap-host.sh'],
              env: [
                { name: 'MODE', value: mode },
                { name: 'SWAP_FILE', value: swapFile },
                { name: 'SWAP_SIZE_MIB', value: String(size.toMebibytes('floor')) },
                { name: 'SWAPPINESS', value: String(swappiness) },
                { name: 'KUBELET_CONFIG', value: kubeletConfig },
              ],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
                limits: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') },
              },
              securityContext: {
                privileged: true,
                allowPrivilegeEscalation: true,
                runAsUser: 0,
                runAsNonRoot: false,
                readOnlyRootFilesystem: true,
              },
              volumeMounts: [{ name: 'script', mountPath: '/memguard', readOnly: true }],
            }],
            containers: [{
              name: 'pause',
              image: pauseImage,
              imagePullPolicy: 'IfNotPresent',
              resources: {
                requests: { cpu: k8s.Quantity.fromString('5m'), memory: k8s.Quantity.fromString('8Mi') },
                limits: { cpu: k8s.Quantity.fromString('5m'), memory: k8s.Quantity.fromString('8Mi') },
              },
              securityContext: hardenedContainer(65535),
            }],
            volumes: [{ name: 'script', configMap: { name: this.configMap.name, defaultMode: 0o444 } }],
          },
        },
      },
    });
    // The namespace first, so that `kubectl apply -f` of the synthesized file works in one go.
    for (const child of [this.priorityQuota, this.configMap, this.daemonSet]) child.node.addDependency(this.namespace);
  }
}
