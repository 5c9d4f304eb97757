/**
 * One benchmark scenario per process, so that peak RSS belongs to that scenario alone:
 *   ts-node --transpile-only -P test/tsconfig.json bench/scenarios.ts <scenario> <count>
 * Prints one JSON line: { scenario, count, wallMs, peakRssMb, objects }.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { buildOdooStack } from '../examples/odoo-stack/app';
import { odooStackProps } from '../examples/odoo-stack/props';
import { MemoryGuard } from '../src/cdk8s/memory-guard';
import { MemoryTunedContainerProps, MemoryTunedDeployment } from '../src/cdk8s/memory-tuned-deployment';
import { Memory } from '../src/sizing/quantity';
import { runtimeSettings } from '../src/sizing/runtime-settings';

const LIMIT = Memory.parse('512Mi');

/** The container every tuned workload runs; the bare Deployments run the same image, sizes, env and security context. */
const TUNED_CONTAINER: MemoryTunedContainerProps = { image: 'ghcr.io/example/app:1.0.0', runtime: 'node', memoryLimit: LIMIT, port: 8080, user: 10001 };

/** The env memguard derives for TUNED_CONTAINER, set by hand on the bare Deployments. */
const BARE_ENV = runtimeSettings('node', LIMIT).env;

function tunedChart(chart: Chart, count: number): void {
  for (let i = 0; i < count; i++) {
    new MemoryTunedDeployment(chart, `app-${i}`, { containers: [TUNED_CONTAINER] });
  }
}

function bareChart(chart: Chart, count: number): void {
  for (let i = 0; i < count; i++) {
    const deployment = new kplus.Deployment(chart, `app-${i}`, { securityContext: { ensureNonRoot: true }, automountServiceAccountToken: false });
    const probe = kplus.Probe.fromTcpSocket({ port: 8080 });
    const container = deployment.addContainer({
      name: 'main',
      image: 'ghcr.io/example/app:1.0.0',
      portNumber: 8080,
      envVariables: Object.fromEntries(Object.entries(BARE_ENV).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) }, cpu: { request: kplus.Cpu.millis(100) } },
      readiness: probe,
      liveness: probe,
      securityContext: {
        ensureNonRoot: true,
        user: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
    });
    container.mount('/tmp', kplus.Volume.fromEmptyDir(deployment, 'tmp', 'main-writable-0'));
  }
}

function synthCdk8s(build: (chart: Chart, count: number) => void, count: number): number {
  const app = new App({ outdir: '/tmp/memguard-bench' });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  build(chart, count);
  return app.synthYaml().split('\n---\n').length;
}

/** Puts the Pulumi runtime in mock mode; the returned function tells how many resources have been registered so far. */
async function countingPulumiMocks(): Promise<() => number> {
  const pulumi = await import('@pulumi/pulumi');
  let registered = 0;
  await pulumi.runtime.setMocks({
    newResource: (args) => { registered++; return { id: `${args.name}-id`, state: args.inputs }; },
    call: (args) => args.inputs,
  }, 'bench', 'bench', false);
  return () => registered;
}

async function pulumiRegistration(kind: 'tuned' | 'bare', count: number): Promise<number> {
  const registered = await countingPulumiMocks();
  const memguard = await import('../src/pulumi');
  const k8s = await import('@pulumi/kubernetes');
  const manifests = kind === 'bare'
    ? (() => { const app = new App(); const chart = new Chart(app, 'bare', { namespace: 'bench' }); bareChart(chart, count); return chart.toJson(); })()
    : [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    if (kind === 'tuned') {
      new memguard.MemoryTunedDeployment(`app-${i}`, { namespace: 'bench', containers: [TUNED_CONTAINER] });
    } else {
      new k8s.apps.v1.Deployment(`app-${i}`, manifests[i]);
    }
  }
  await waitForRegistrations(registered, count);
  (globalThis as any).__benchStart = start;
  return registered();
}

/** Waits until at least `minimum` resources reached the mock engine and no more arrive. */
async function waitForRegistrations(registered: () => number, minimum: number): Promise<void> {
  while (true) {
    const before = registered();
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (registered() === before && before >= minimum) return;
  }
}

const GUARD_WORKLOADS_PER_NAMESPACE = 10;

/** `count` namespaces, each a chart with a MemoryGuard and 10 tuned workloads (what a platform team has). */
export function guardedNamespaces(app: App, count: number): void {
  for (let n = 0; n < count; n++) {
    const chart = new Chart(app, `team-${n}`, { namespace: `team-${n}` });
    // Node alerts are cluster-wide: one guard carries them (the documented practice).
    const guard = new MemoryGuard(chart, 'guard', { memoryBudget: Memory.parse('16Gi'), nodeAlerts: n === 0 });
    for (let i = 0; i < GUARD_WORKLOADS_PER_NAMESPACE; i++) {
      guard.addDeployment(`app-${i}`, { containers: [TUNED_CONTAINER] });
    }
  }
}

/** The same workloads as bare cdk8s-plus-28 Deployments, in the same charts. */
export function bareNamespaces(app: App, count: number): void {
  for (let n = 0; n < count; n++) bareChart(new Chart(app, `team-${n}`, { namespace: `team-${n}` }), GUARD_WORKLOADS_PER_NAMESPACE);
}

/**
 * The objects a guard adds to one namespace besides its Deployments (VPAs, LimitRange, ResourceQuota, PrometheusRule,
 * dashboard), as JSON text with the namespace written as `NAMESPACE`.
 */
export function guardObjectsTemplate(): string[] {
  const app = new App();
  guardedNamespaces(app, 2);
  // The second namespace: its guard leaves the node alerts to the first, as 99 of the 100 do.
  return app.charts[1].toJson()
    .filter((object: any) => object.kind !== 'Deployment')
    .map((object: any) => JSON.stringify(object).replace(/team-1/g, 'NAMESPACE'));
}

/**
 * The template built in another process, so that the floor scenario starts as cold as the scenarios it is compared to
 * (building it here would warm up cdk8s's rendering and the YAML writer first).
 */
function guardObjectsTemplateFromAnotherProcess(): string[] {
  const output = execFileSync(process.execPath, [
    require.resolve('ts-node/dist/bin'), '--transpile-only', '-P', join(__dirname, '..', 'test', 'tsconfig.json'), __filename, GUARD_OBJECTS_TEMPLATE,
  ], { encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output);
}

const GUARD_OBJECTS_TEMPLATE = '--guard-objects-template';

/**
 * The floor: the same Deployments and the same guard objects as plain cdk8s ApiObjects built from ready JSON, with none
 * of memguard's sizing, checks or alert and dashboard generation. What any library emitting these objects pays.
 */
export function plainNamespaces(app: App, count: number, template: readonly string[]): void {
  for (let n = 0; n < count; n++) {
    const chart = new Chart(app, `team-${n}`, { namespace: `team-${n}` });
    bareChart(chart, GUARD_WORKLOADS_PER_NAMESPACE);
    template.forEach((json, i) => new ApiObject(chart, `object-${i}`, JSON.parse(json.replace(/NAMESPACE/g, `team-${n}`))));
  }
}

function synthApp(build: (app: App, count: number) => void, count: number): number {
  const app = new App({ outdir: '/tmp/memguard-bench' });
  build(app, count);
  return app.synthYaml().split('\n---\n').length;
}

export const SCENARIOS: Record<string, (count: number) => number | Promise<number>> = {
  'guard-namespaces': (count) => synthApp(guardedNamespaces, count),
  'bare-namespaces': (count) => synthApp(bareNamespaces, count),
  'plain-namespaces': (count) => {
    const template = guardObjectsTemplateFromAnotherProcess();
    (globalThis as any).__benchStart = performance.now();
    return synthApp((app) => plainNamespaces(app, count, template), count);
  },
  'example-synth': () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'memguard-bench-')) });
    const { chart } = buildOdooStack(app);
    app.synth();
    return chart.toJson().length;
  },
  'pulumi-example': async () => {
    const registered = await countingPulumiMocks();
    const { MemoryGuard: PulumiMemoryGuard } = await import('../src/pulumi/memory-guard');
    (globalThis as any).__benchStart = performance.now();
    new PulumiMemoryGuard('odoo-stack', odooStackProps());
    await waitForRegistrations(registered, 2);
    return registered();
  },
  'cdk8s-tuned': (count) => synthCdk8s(tunedChart, count),
  'cdk8s-bare': (count) => synthCdk8s(bareChart, count),
  'pulumi-tuned': (count) => pulumiRegistration('tuned', count),
  'pulumi-bare': (count) => pulumiRegistration('bare', count),
};

export async function runScenario(name: string, count: number, scenarios = SCENARIOS): Promise<void> {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  const start = performance.now();
  const objects = await scenario(count);
  const end = performance.now();
  // Pulumi scenarios time only registration, not the SDK's module loading and mock setup.
  const measuredFrom = (globalThis as any).__benchStart ?? start;
  process.stdout.write(`${JSON.stringify({
    scenario: name,
    count,
    wallMs: Math.round(end - measuredFrom),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    objects,
  })}\n`);
}

if (require.main === module && process.argv[2] === GUARD_OBJECTS_TEMPLATE) {
  process.stdout.write(JSON.stringify(guardObjectsTemplate()));
} else if (require.main === module) {
  runScenario(process.argv[2], Number(process.argv[3] ?? 1000)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
