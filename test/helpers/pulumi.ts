import * as pulumi from '@pulumi/pulumi';
import { Chart, Testing } from 'cdk8s';

/** One resource the Pulumi engine was asked to register, with the inputs it received. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

/** The recorder behind Pulumi's official mocks. */
export interface PulumiMocks {
  /** Every resource registered since the last `reset()`, in order. */
  readonly resources: RecordedResource[];
  /** Forget what was recorded (call between tests). */
  reset(): void;
  /** The recorded Kubernetes resources (everything but components), keyed `Kind/namespace/name`. */
  kubernetesObjects(): Map<string, Record<string, any>>;
}

/**
 * Installs `pulumi.runtime.setMocks` with a recorder. Call it in `beforeAll` and import the module under test after
 * it (`await import(...)`), so that the Pulumi runtime is in mock mode before any resource is created.
 */
export async function installPulumiMocks(): Promise<PulumiMocks> {
  const resources: RecordedResource[] = [];
  await pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
      resources.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
      return args.inputs;
    },
  }, 'memguard', 'test', false);
  return {
    resources,
    reset: () => { resources.length = 0; },
    kubernetesObjects: () => new Map(resources
      .filter((r) => r.type.startsWith('kubernetes:'))
      .map((r) => {
        const metadata = r.inputs.metadata ?? {};
        return [`${r.inputs.kind}/${metadata.namespace ?? ''}/${metadata.name}`, r.inputs] as const;
      })),
  };
}

/** Waits for an Output's value (only for tests: production code never unwraps outputs). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}

/** Waits until every resource registration started so far has been sent to the mock engine. */
export async function settle(): Promise<void> {
  // Registration is asynchronous: give the runtime's promise chains a few turns of the event loop.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Registered Kubernetes inputs, as plain JSON, keyed `Kind/namespace/name`, for comparison with a cdk8s synth of the
 * same props (Pulumi strips `undefined`, and so does JSON).
 */
export function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Key cdk8s objects the same way as `PulumiMocks.kubernetesObjects()`. */
export function keyByIdentity(objects: readonly any[]): Map<string, unknown> {
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, asJson(o)] as const));
}

/** What `cdk8s synth` writes for `build`, with the chart named like the Pulumi component (whose name prefixes every object). */
export function cdk8sSynth(name: string, build: (chart: Chart) => void): any[] {
  const chart = new Chart(Testing.app(), name);
  build(chart);
  return Testing.synth(chart);
}

/**
 * Expects the Kubernetes resources registered since the last `reset()` to be exactly the objects cdk8s synthesizes for
 * `build` on a chart named `name`, input for input; returns that synth for further checks.
 */
export function expectRegisteredLikeCdk8s(mocks: PulumiMocks, name: string, build: (chart: Chart) => void): any[] {
  const expected = cdk8sSynth(name, build);
  expect(mocks.kubernetesObjects()).toEqual(keyByIdentity(expected));
  return expected;
}
