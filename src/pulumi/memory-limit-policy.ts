import * as pulumi from '@pulumi/pulumi';
import { InputError } from '../sizing/errors';
import { applyMemoryLimitPolicy, describeViolation, MemoryLimitPolicyOptions, resolveLimitPolicy, WORKLOAD_KINDS } from '../sizing/limit-policy';

/** `kubernetes:apps/v1:Deployment` -> `Deployment`, for the workload kinds the policy covers. */
const WORKLOAD_TYPES: ReadonlyMap<string, string> = new Map(WORKLOAD_KINDS.map((kind) => {
  const group = kind === 'Pod' ? 'core/v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  return [`kubernetes:${group}:${kind}`, kind] as const;
}));

/**
 * A Pulumi stack transformation that does for every Kubernetes workload of a Pulumi program what `MemoryLimitPolicy`
 * does for a cdk8s chart: fill in missing memory requests and limits, or (mode `enforce`) fail the deployment naming the
 * container. Register it once, before the resources are created:
 *
 * ```ts
 * pulumi.runtime.registerStackTransformation(memoryLimitPolicy({ defaultLimit: Memory.parse('512Mi') }));
 * ```
 */
export function memoryLimitPolicy(options: MemoryLimitPolicyOptions = {}): pulumi.ResourceTransformation {
  resolveLimitPolicy(options);
  return (args) => {
    const kind = WORKLOAD_TYPES.get(args.type);
    if (!kind) return undefined;
    const { object, violations } = applyMemoryLimitPolicy({ ...args.props, kind }, options);
    if (violations.length > 0) {
      throw InputError.combine(`memguard memory limit policy (${args.name})`, violations.map((v) => new InputError({
        field: `${v.kind}/${v.name}.${v.initContainer ? 'initContainers' : 'containers'}[${v.container}].resources`,
        value: undefined,
        accepted: 'memory requests and limits that meet the policy',
        message: describeViolation(v),
      })));
    }
    const { kind: _kind, ...props } = object as Record<string, unknown>;
    return { props: { ...props, ...(args.props.kind !== undefined ? { kind: args.props.kind } : {}) }, opts: args.opts };
  };
}
