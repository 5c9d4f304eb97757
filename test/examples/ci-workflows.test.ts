import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const CI_DIR = path.resolve(__dirname, '..', '..', 'examples', 'ci');

interface Step {
  readonly 'name'?: string;
  readonly 'uses'?: string;
  readonly 'run'?: string;
  readonly 'with'?: Record<string, unknown>;
  readonly 'env'?: Record<string, string>;
  readonly 'working-directory'?: string;
}

interface Job {
  readonly if?: string;
  readonly steps: Step[];
}

interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function loadWorkflow(file: string): Workflow {
  // `uniqueKeys` (the default) makes a duplicated key a parse error, as it is for GitHub.
  return parse(fs.readFileSync(path.join(CI_DIR, file), 'utf8')) as Workflow;
}

function stepsUsing(job: Job, action: string): Step[] {
  return job.steps.filter((step) => step.uses?.split('@')[0] === action);
}

function runSteps(job: Job, command: RegExp): Step[] {
  return job.steps.filter((step) => step.run !== undefined && command.test(step.run));
}

describe('examples/ci/cdk8s.yml', () => {
  const workflow = loadWorkflow('cdk8s.yml');
  const job = workflow.jobs.synth;

  test('GIVEN the workflow WHEN parsed THEN it runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
  });

  test('GIVEN the synth job WHEN read in order THEN it checks out, sets up Node 20 with an npm cache, installs and synthesizes', () => {
    const checkout = job.steps.findIndex((step) => step.uses === 'actions/checkout@v4');
    const setupNode = job.steps.findIndex((step) => step.uses === 'actions/setup-node@v4');
    const install = job.steps.findIndex((step) => step.run === 'npm ci');
    const synth = job.steps.findIndex((step) => /\bcdk8s synth\b/.test(step.run ?? ''));

    expect(job.steps[setupNode].with).toEqual({ 'node-version': 20, 'cache': 'npm' });
    expect([checkout, setupNode, install, synth].every((index) => index >= 0)).toBe(true);
    expect([checkout < setupNode, setupNode < install, install < synth]).toEqual([true, true, true]);
    expect(job.steps[synth]['working-directory']).toBe('${{ env.APP_DIR }}');
  });

  test('GIVEN the schema check WHEN read THEN kubeconform validates the synthesized manifests strictly against Kubernetes 1.28.0', () => {
    const [check] = runSteps(job, /^kubeconform\b/);
    const argv = check.run!.split(/\s+/);

    expect(argv).toEqual(expect.arrayContaining(['-strict', '-summary']));
    expect(argv[argv.indexOf('-kubernetes-version') + 1]).toBe('1.28.0');
    expect(argv[argv.length - 1]).toBe('"$APP_DIR/dist"');
    // Unknown kinds must fail: no flag that lets a kind without a schema pass.
    expect(check.run).not.toMatch(/-ignore-missing-schemas|-skip\b/);
  });

  test('GIVEN the schema check WHEN read THEN the only CRD schemas are those of the three groups memguard emits', () => {
    const locations = runSteps(job, /^kubeconform\b/)[0].run!.match(/-schema-location\s+(\S+)/g);
    const [catalog] = stepsUsing(job, 'actions/checkout').filter((step) => step.with?.repository !== undefined);

    expect(locations).toEqual([
      '-schema-location default',
      "-schema-location '.crd-schemas/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'",
    ]);
    expect(catalog.with).toMatchObject({ repository: 'datreeio/CRDs-catalog', path: '.crd-schemas' });
    expect(String(catalog.with!['sparse-checkout']).trim().split('\n').sort())
      .toEqual(['autoscaling.k8s.io', 'grafana.integreatly.org', 'monitoring.coreos.com']);
  });

  test('GIVEN the kubeconform download WHEN read THEN its checksum is verified before it is unpacked', () => {
    const [install] = runSteps(job, /kubeconform-linux-amd64\.tar\.gz/);
    const lines = install.run!.trim().split('\n');

    const verify = lines.findIndex((line) => line.includes('sha256sum --check'));
    const unpack = lines.findIndex((line) => line.startsWith('tar '));
    expect([verify >= 0, verify < unpack]).toEqual([true, true]);
  });

  test('GIVEN the manifests WHEN the job ends THEN they are uploaded as an artifact, even when the schema check failed', () => {
    const [upload] = stepsUsing(job, 'actions/upload-artifact');

    expect(upload.with).toEqual({ 'name': 'manifests', 'path': '${{ env.APP_DIR }}/dist/', 'if-no-files-found': 'error' });
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect((upload as { if?: string }).if).toBe('success() || failure()');
  });
});

describe('examples/ci/pulumi.yml', () => {
  const workflow = loadWorkflow('pulumi.yml');
  const pulumiStep = (job: Job): Step => {
    const steps = stepsUsing(job, 'pulumi/actions');
    expect(steps).toHaveLength(1);
    return steps[0];
  };

  test('GIVEN the workflow WHEN parsed THEN it runs on pull requests and on pushes to main, and names one stack', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(workflow.env?.PULUMI_STACK).toMatch(/^[\w-]+\/[\w-]+\/[\w-]+$/);
    expect(Object.keys(workflow.jobs).sort()).toEqual(['preview', 'up']);
  });

  test('GIVEN a pull request WHEN the workflow runs THEN only `pulumi preview` runs, and comments on the PR', () => {
    const preview = workflow.jobs.preview;

    expect(preview.if).toBe("github.event_name == 'pull_request'");
    expect(pulumiStep(preview).with).toEqual({
      'command': 'preview',
      'stack-name': '${{ env.PULUMI_STACK }}',
      'work-dir': '${{ env.PULUMI_DIR }}',
      'comment-on-pr': true,
    });
  });

  test('GIVEN a push WHEN the workflow runs THEN `pulumi up` runs only for main', () => {
    const up = workflow.jobs.up;

    expect(up.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(pulumiStep(up).with).toEqual({
      'command': 'up',
      'stack-name': '${{ env.PULUMI_STACK }}',
      'work-dir': '${{ env.PULUMI_DIR }}',
    });
    // No other job changes the stack.
    expect(pulumiStep(workflow.jobs.preview).with?.command).toBe('preview');
  });

  test.each(['preview', 'up'])('GIVEN the %s job WHEN read THEN Pulumi gets its token and the cluster its kubeconfig from secrets, after npm ci', (name) => {
    const job = workflow.jobs[name];
    const install = job.steps.findIndex((step) => step.run === 'npm ci');
    const kubeconfig = job.steps.findIndex((step) => step.env?.KUBECONFIG_CONTENT === '${{ secrets.KUBECONFIG }}');
    const pulumi = job.steps.indexOf(pulumiStep(job));

    expect(pulumiStep(job).env).toEqual({ PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}' });
    expect([install >= 0, kubeconfig > install, pulumi > kubeconfig]).toEqual([true, true, true]);
    // The kubeconfig is written to a file only the runner user can read, and never echoed.
    expect(job.steps[kubeconfig].run).toContain('install -m 600 /dev/null "$RUNNER_TEMP/kubeconfig"');
    expect(job.steps[kubeconfig].run).toContain('echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"');
    expect(job.steps[kubeconfig].run).not.toMatch(/echo\s+"?\$KUBECONFIG_CONTENT/);
  });
});
