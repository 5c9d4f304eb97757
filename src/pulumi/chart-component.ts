import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** A Kubernetes object as cdk8s synthesizes it. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The typed @pulumi/kubernetes class per `apiVersion/kind`; anything else is a CustomResource (CRD kinds). */
const TYPED_RESOURCES: Readonly<Record<string, ResourceClass>> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/Service': k8s.core.v1.Service,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/LimitRange': k8s.core.v1.LimitRange,
  'v1/ResourceQuota': k8s.core.v1.ResourceQuota,
  'v1/Pod': k8s.core.v1.Pod,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'apps/v1/StatefulSet': k8s.apps.v1.StatefulSet,
  'apps/v1/DaemonSet': k8s.apps.v1.DaemonSet,
  'batch/v1/Job': k8s.batch.v1.Job,
  'batch/v1/CronJob': k8s.batch.v1.CronJob,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'autoscaling/v2/HorizontalPodAutoscaler': k8s.autoscaling.v2.HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'scheduling.k8s.io/v1/PriorityClass': k8s.scheduling.v1.PriorityClass,
};

/** Kinds the rest of a chart may depend on, so they are registered first. */
const FOUNDATION_KINDS = new Set(['Namespace', 'CustomResourceDefinition']);

/**
 * Runs `build` on a fresh in-memory cdk8s chart and returns what `cdk8s synth` would write for it.
 *
 * @param chartId the chart's id, which prefixes every generated object name (a Pulumi component passes its own name)
 */
export function synthesizeChart(chartId: string, build: (chart: Chart) => void): KubernetesObject[] {
  const app = new App();
  const chart = new Chart(app, chartId);
  build(chart);
  return chart.toJson();
}

/** The Pulumi resource name of an object: `namespace/name`, as Pulumi's own YAML support names them. */
export function pulumiResourceName(object: KubernetesObject): string {
  const { name, namespace } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * Registers each object as its own typed Pulumi Kubernetes resource, parented to `parent`. Namespaces and CRDs go first
 * and everything else depends on them. cdk8s's `metadata.name` is kept, so Pulumi adds no random suffix.
 */
export function registerObjects(
  parent: pulumi.Resource,
  objects: readonly KubernetesObject[],
  opts: pulumi.CustomResourceOptions = {},
): pulumi.CustomResource[] {
  const foundation = objects.filter((o) => FOUNDATION_KINDS.has(o.kind));
  const rest = objects.filter((o) => !FOUNDATION_KINDS.has(o.kind));
  const register = (object: KubernetesObject, dependsOn: pulumi.Resource[]): pulumi.CustomResource => {
    const ResourceType = TYPED_RESOURCES[`${object.apiVersion}/${object.kind}`];
    const resourceOpts: pulumi.CustomResourceOptions = { ...opts, parent, dependsOn: [...dependsOn] };
    if (ResourceType) return new ResourceType(pulumiResourceName(object), { ...object }, resourceOpts);
    return new k8s.apiextensions.CustomResource(pulumiResourceName(object), { ...object }, resourceOpts);
  };
  const registeredFoundation = foundation.map((o) => register(o, []));
  return [...registeredFoundation, ...rest.map((o) => register(o, registeredFoundation))];
}

/**
 * The shell every memguard Pulumi component shares: it builds the same cdk8s construct the cdk8s front end uses, in
 * memory, and registers each resulting Kubernetes object as a child resource. No logic lives here.
 *
 * @typeParam T the cdk8s construct the component is a shell over
 */
export abstract class ChartComponent<T extends Construct> extends pulumi.ComponentResource {
  /** The construct the resources were built from: its signals and computed values. */
  public readonly construct: T;
  /** The Kubernetes objects, exactly as `cdk8s synth` writes them for the same props. */
  public readonly manifests: readonly KubernetesObject[];
  /** One Pulumi resource per Kubernetes object, in registration order. */
  public readonly kubernetesResources: readonly pulumi.CustomResource[];

  /** @param build creates the construct on the component's in-memory chart and returns it */
  protected constructor(type: string, name: string, build: (chart: Chart) => T, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    let construct: T | undefined;
    this.manifests = synthesizeChart(name, (chart) => { construct = build(chart); });
    this.construct = construct!;
    this.kubernetesResources = registerObjects(this, this.manifests);
    this.registerOutputs({
      objectNames: this.manifests.map((o) => `${o.kind}/${pulumiResourceName(o)}`),
    });
  }
}
