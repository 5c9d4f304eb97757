import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { emittedRenderForValidation, memoizeForSynthesis, setRenderPostProcessor } from './synthesis-memo';
import {
  applyMemoryLimitPolicy, describeViolation, MemoryLimitPolicyOptions, resolveLimitPolicy, WORKLOAD_KINDS,
} from '../sizing/limit-policy';

/** Props of `MemoryLimitPolicy`: the policy itself. */
export interface MemoryLimitPolicyProps extends MemoryLimitPolicyOptions {}

const WORKLOADS: ReadonlySet<string> = new Set(WORKLOAD_KINDS);
/** Each chart's policies, in the order they were created. */
const chartPolicies = new WeakMap<Chart, MemoryLimitPolicy[]>();

/**
 * Puts memory limits on every workload of a chart (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod,
 * init containers included), whichever construct or import created it: the code form of the runbook's "patch every
 * deployment with limits".
 *
 * In `fill` mode it fills in missing requests and limits (and raises requests to limits when asked); in `enforce` mode
 * synthesis fails with a list of every container that breaks the policy. It runs when the chart is synthesized, so it
 * also sees workloads added after it. When several policies cover a chart, the `fill` ones apply in the order they were
 * created, and every policy checks what is then emitted.
 */
export class MemoryLimitPolicy extends Construct {
  /** The chart the policy covers. */
  public readonly chart: Chart;
  /** The policy as given. */
  public readonly options: MemoryLimitPolicyProps;

  constructor(scope: Construct, id: string, props: MemoryLimitPolicyProps = {}) {
    super(scope, id);
    resolveLimitPolicy(props);
    this.options = props;
    this.chart = Chart.of(this);
    chartPolicies.set(this.chart, [...chartPolicies.get(this.chart) ?? [], this]);
    // cdk8s validates every construct before it renders any object, so this runs first on every synth.
    this.node.addValidation({ validate: memoizeForSynthesis(this, () => this.police()) });
  }

  private police(): string[] {
    return workloadsAsEmitted(this.chart)
      .flatMap(({ json }) => applyMemoryLimitPolicy(json, this.options).violations.map(describeViolation));
  }
}

/**
 * The chart's workload objects with the JSON they will be emitted as, for validations. Makes each workload's render
 * post-processed by the chart's `fill` policies first, in the order they were created: cdk8s-plus objects convert their
 * fields after JSON patches run, so a patch cannot reliably add resources, while post-processing the rendered JSON works
 * for every kind of ApiObject.
 * @internal
 */
export function workloadsAsEmitted(chart: Chart): Array<{ readonly object: ApiObject; readonly json: any }> {
  const fillers = (chartPolicies.get(chart) ?? []).filter((policy) => (policy.options.mode ?? 'fill') === 'fill');
  const fill = fillers.length === 0 ? undefined
    : (json: any) => fillers.reduce((filled, policy) => applyMemoryLimitPolicy(filled, policy.options).object, json);
  return chart.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && WORKLOADS.has(c.kind) && Chart.of(c) === chart)
    .map((object) => {
      setRenderPostProcessor(object, fill);
      return { object, json: emittedRenderForValidation(object) };
    });
}
