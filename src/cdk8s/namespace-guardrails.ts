import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkNamespaceName, InputError } from '../sizing/errors';
import { namespaceGuardrails, NamespaceGuardrailsOptions, ResolvedGuardrails } from '../sizing/guardrails';

/** Props of `NamespaceGuardrails`. */
export interface NamespaceGuardrailsProps extends NamespaceGuardrailsOptions {
  /**
   * The namespace to guard.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Also emit the Namespace object, labelled to enforce the Pod Security "restricted" profile.
   * @default false
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
   */
  readonly createNamespace?: boolean;
}

/**
 * Memory guardrails for one namespace: a LimitRange (containers get `default == defaultRequest`, a `max`, a `min` and
 * `maxLimitRequestRatio` 1 for memory) and a ResourceQuota on `requests.memory` and `limits.memory`, both derived from a
 * namespace memory budget when one is given.
 *
 * @see https://kubernetes.io/docs/concepts/policy/limit-range/
 * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
 */
export class NamespaceGuardrails extends Construct {
  /** The values the LimitRange and ResourceQuota were built from, with every default applied. */
  public readonly values: ResolvedGuardrails;
  /** The guarded namespace. */
  public readonly namespace: string;
  public readonly limitRange: k8s.KubeLimitRange;
  public readonly resourceQuota?: k8s.KubeResourceQuota;
  public readonly namespaceObject?: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: NamespaceGuardrailsProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new InputError({ field: 'namespace', value: namespace, accepted: 'a namespace name (or a chart with a namespace)' });
    }
    this.namespace = checkNamespaceName('namespace', namespace);
    this.values = namespaceGuardrails(props);
    const v = this.values;
    const quantity = (value: { toString(): string }) => k8s.Quantity.fromString(value.toString());

    if (props.createNamespace) {
      this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: namespace,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'v1.28',
          },
        },
      });
    }

    this.limitRange = new k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { namespace },
      spec: {
        limits: [{
          type: 'Container',
          default: { memory: quantity(v.defaultMemoryLimit), ...(v.defaultCpuLimit ? { cpu: quantity(v.defaultCpuLimit) } : {}) },
          defaultRequest: { memory: quantity(v.defaultMemoryRequest), cpu: quantity(v.defaultCpuRequest) },
          max: { memory: quantity(v.maxMemory) },
          min: { memory: quantity(v.minMemory) },
          maxLimitRequestRatio: { memory: k8s.Quantity.fromString(String(v.maxLimitRequestRatio)) },
        }],
      },
    });

    if (v.quota) {
      const hard: Record<string, k8s.Quantity> = {
        'requests.memory': quantity(v.quota.requestsMemory),
        'limits.memory': quantity(v.quota.limitsMemory),
      };
      if (v.quota.requestsCpu) hard['requests.cpu'] = quantity(v.quota.requestsCpu);
      if (v.quota.pods !== undefined) hard.pods = k8s.Quantity.fromNumber(v.quota.pods);
      this.resourceQuota = new k8s.KubeResourceQuota(this, 'ResourceQuota', { metadata: { namespace }, spec: { hard } });
    }
    if (this.namespaceObject) {
      this.limitRange.addDependency(this.namespaceObject);
      this.resourceQuota?.addDependency(this.namespaceObject);
    }
  }
}
