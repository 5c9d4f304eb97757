import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { childCount, memoizeForSynthesis, renderForValidation } from './synthesis-memo';
import {
  applyMemoryLimitPolicy, describeViolation, MemoryLimitPolicyOptions, resolveLimitPolicy, WORKLOAD_KINDS,
} from '../sizing/limit-policy';

/** Props of `MemoryLimitPolicy`: the policy itself. */
export interface MemoryLimitPolicyProps extends MemoryLimitPolicyOptions {}

const POLICED = Symbol.for('memguard.MemoryLimitPolicy.policed');
const WORKLOADS: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/**
 * Puts memory limits on every workload of a chart (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod,
 * init containers included), whichever construct or import created it: the code form of the runbook's "patch every
 * deployment with limits".
 *
 * In `fill` mode it fills in missing requests and limits (and raises requests to limits when asked); in `enforce` mode
 * synthesis fails with a list of every container that breaks the policy. It runs when the chart is synthesized, so it
 * also sees workloads added after it.
 */
export class MemoryLimitPolicy extends Construct {
  /** The chart the policy covers. */
  public readonly chart: Chart;

  constructor(scope: Construct, id: string, props: MemoryLimitPolicyProps = {}) {
    super(scope, id);
    resolveLimitPolicy(props);
    this.chart = Chart.of(this);
    // cdk8s validates every construct before it renders any object, so this runs first on every synth.
    const police = memoizeForSynthesis(() => [childCount(this.chart)], () => this.police(props));
    this.node.addValidation({ validate: police });
  }

  private police(props: MemoryLimitPolicyProps): string[] {
    const errors: string[] = [];
    for (const object of this.workloads()) {
      const { violations } = applyMemoryLimitPolicy(renderForValidation(object), props);
      errors.push(...violations.map(describeViolation));
      if ((props.mode ?? 'fill') === 'fill') fillOnRender(object, props);
    }
    return errors;
  }

  private workloads(): ApiObject[] {
    return this.chart.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .filter((o) => WORKLOADS.has(o.kind) && Chart.of(o) === this.chart);
  }
}

/**
 * Makes the object render with the policy applied. cdk8s-plus objects convert their fields after JSON patches run, so
 * a patch cannot reliably add resources; post-processing the rendered JSON works for every kind of ApiObject.
 */
function fillOnRender(object: ApiObject, props: MemoryLimitPolicyProps): void {
  const marked = object as ApiObject & { [POLICED]?: boolean };
  if (marked[POLICED]) return;
  marked[POLICED] = true;
  const render = object.toJson.bind(object);
  object.toJson = () => applyMemoryLimitPolicy(render(), props).object;
}
