import { Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { InputError } from '../sizing/errors';
import { Cpu, Memory } from '../sizing/quantity';

// The pieces every workload memguard owns (PostgreSQL, Odoo, PgBouncer, redis) is built from, so that they label,
// harden and expose their pods the same way.

/** The labels of a memguard workload: `selector` picks its pods, `labels` (the selector plus `managed-by`) mark every object. */
export interface WorkloadLabels {
  /** `app.kubernetes.io/name` and `app.kubernetes.io/instance`: the Deployment's or StatefulSet's and the Service's selector. */
  readonly selector: Readonly<Record<string, string>>;
  /** The selector plus `app.kubernetes.io/managed-by: memguard`, on every object and pod template. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The recommended labels of a workload named `name`; the instance is the construct's path as a label value, so two
 * workloads of the same kind in one namespace select only their own pods.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function workloadLabels(scope: Construct, name: string): WorkloadLabels {
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': Names.toLabelValue(scope) };
  return { selector, labels: { ...selector, 'app.kubernetes.io/managed-by': 'memguard' } };
}

/**
 * The pod template of a memguard workload: `spec` plus no service account token and no service-link env (the workloads
 * call no API), and a pod security context that runs as `uid`, group-owns the volumes by it and uses seccomp
 * RuntimeDefault.
 */
export function hardenedPodTemplate(labels: WorkloadLabels['labels'], uid: number, spec: k8s.PodSpec): k8s.PodTemplateSpec {
  return {
    metadata: { labels },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
      ...spec,
    },
  };
}

/** The container security context every memguard workload uses (Pod Security "restricted"). */
export function hardenedContainer(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Rejects floating tags: an image must carry a digest or a tag that is not `latest`.
 *
 * @param example an image to name in the error message as a pinned one
 */
export function checkPinnedImage(field: string, image: string, example?: string): void {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (!image.includes('@sha256:') && (tag === undefined || tag === '' || tag === 'latest')) {
    const accepted = `an image pinned to a version tag or a digest${example ? `, such as ${example}` : ''}`;
    throw new InputError({ field, value: image, accepted, reason: 'a floating tag changes under you' });
  }
}

/** A memory or CPU value as a Kubernetes quantity, in its canonical form (`1536Mi`, `250m`). */
export function quantity(value: Memory | Cpu): k8s.Quantity {
  return k8s.Quantity.fromString(value.toString());
}

/** One port of a {@link workloadService}: the Service port, which targets the container port of the same name. */
export interface WorkloadServicePort {
  /** The port's name, which is also the name of the container port it targets. */
  readonly name: string;
  /** The port the Service listens on. */
  readonly port: number;
}

/** Where a {@link workloadService} goes and how it selects its pods. */
export interface WorkloadServiceOptions extends WorkloadLabels {
  /**
   * The Service's namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The TCP ports, each targeting the container port of the same name. */
  readonly ports: readonly WorkloadServicePort[];
  /**
   * A headless Service (`clusterIP: None`), such as a StatefulSet's governing Service.
   * @default false
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
   */
  readonly headless?: boolean;
}

/** The Service (child id `Service`) in front of a workload's pods: TCP ports that target the named container ports. */
export function workloadService(scope: Construct, options: WorkloadServiceOptions): k8s.KubeService {
  return new k8s.KubeService(scope, 'Service', {
    metadata: { namespace: options.namespace, labels: options.labels },
    spec: {
      ...(options.headless ? { clusterIp: 'None' } : {}),
      selector: options.selector,
      ports: options.ports.map(({ name, port }) => ({ name, port, targetPort: k8s.IntOrString.fromString(name), protocol: 'TCP' })),
    },
  });
}
