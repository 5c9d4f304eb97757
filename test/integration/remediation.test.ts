/**
 * The bundled remediation program, run as a child process with plain `node`, against real HTTP servers on 127.0.0.1:
 * a fake Prometheus (query API format, scripted per call) and a fake API server that records the Kubernetes and GitHub
 * calls. flush-redis runs against a real redis-server (Debian package `redis-server`).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { remediationConfig, RemediationOptions } from '../../src/remediation/config';
import { RemediationConfig } from '../../src/remediation/decide';
import { REMEDIATION_PROGRAM_JS } from '../../src/remediation/program-bundle.generated';

const TOKEN = 'ghp_secret-token-never-logged';
const K8S_TOKEN = 'k8s-service-account-token';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Fixture {
  /** Answers of the ratio query, in order (each a vector of [namespace, pod, container, ratio]); the last repeats. */
  ratio: (Array<[string, string, string, number]> | string)[];
  /** Annotations per `namespace/name` workload. */
  annotations: Record<string, Record<string, string>>;
  /** Open issues the GitHub list returns. */
  openIssues: { number: number; title: string }[];
  /** Replicas, ready replicas and strategy per workload name; default 2 of 2 ready, RollingUpdate (keeps serving). */
  rollout: Record<string, { replicas: number; readyReplicas: number; strategy?: string }>;
}

const vector = (rows: Array<[string, string, string, number]>) => JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: rows.map(([namespace, pod, container, v]) => ({ metric: { namespace, pod, container }, value: [1740830400, String(v)] })) },
});

/** A pod's controller and labels, as the fake API server returns them. */
interface PodFixture {
  readonly owner?: { kind: string; name: string };
  readonly labels: Record<string, string>;
}

/**
 * Pods by name prefix: web-* belong to ReplicaSet web-5d8 of Deployment web (pod-template-hash 5d8), api-* to api-77 of
 * api, db-0 to StatefulSet db. The others are ReplicaSet pods whose Deployment cannot be resolved safely: no hash label,
 * a ReplicaSet name that does not end in the hash, a Deployment whose selector does not select the pod, no Deployment.
 */
function podFixture(pod: string): PodFixture {
  const replicaSetPod = (app: string, replicaSet: string, hash?: string): PodFixture => ({
    owner: { kind: 'ReplicaSet', name: replicaSet },
    labels: { app, ...(hash ? { 'pod-template-hash': hash } : {}) },
  });
  if (pod.startsWith('web-')) return replicaSetPod('web', 'web-5d8', '5d8');
  if (pod.startsWith('api-')) return replicaSetPod('api', 'api-77', '77');
  if (pod.startsWith('cache-')) return replicaSetPod('cache', 'cache-9c1', '9c1');
  if (pod.startsWith('nohash-')) return replicaSetPod('nohash', 'nohash-6c4');
  if (pod.startsWith('renamed-')) return replicaSetPod('renamed', 'renamed-6c4', '9f1');
  if (pod.startsWith('stranger-')) return replicaSetPod('stranger', 'stranger-6c4', '6c4');
  if (pod.startsWith('orphan-')) return replicaSetPod('orphan', 'orphan-6c4', '6c4');
  if (pod.startsWith('db-')) return { owner: { kind: 'StatefulSet', name: 'db' }, labels: { app: 'db' } };
  if (pod.startsWith('node-agent-')) return { owner: { kind: 'DaemonSet', name: 'node-agent' }, labels: { app: 'node-agent' } };
  return { labels: {} };
}

class FakeApis {
  public readonly calls: Recorded[] = [];
  public readonly promQueries: string[] = [];
  private ratioCalls = 0;
  private readonly servers: http.Server[] = [];
  public promUrl = '';
  public apiUrl = '';

  constructor(public fixture: Fixture, private readonly config: () => RemediationConfig) {}

  public async start(): Promise<void> {
    const prom = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const query = url.searchParams.get('query') ?? '';
      this.promQueries.push(query);
      let body: string;
      if (query === this.config().ratioQuery) {
        const answer = this.fixture.ratio[Math.min(this.ratioCalls++, this.fixture.ratio.length - 1)];
        body = typeof answer === 'string' ? answer : vector(answer);
      } else if (query === this.config().diagnostics.peakQuery) {
        body = vector([['shop', 'web-5d8-aaaaa', 'main', 0.98]]);
      } else if (query === this.config().diagnostics.oomKillsQuery) {
        body = vector([['shop', 'web-5d8-aaaaa', 'main', 2]]);
      } else {
        body = vector([]);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const api = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.calls.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        const [status, answer] = this.answer(req.method!, req.url!);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    for (const server of [prom, api]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
    }
    this.promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;
    this.apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
  }

  public k8sCalls(method?: string): Recorded[] {
    return this.calls.filter((c) => (c.path.startsWith('/api/') || c.path.startsWith('/apis/')) && (!method || c.method === method));
  }

  /** Requests for ReplicaSets: the Role grants none, so the program must never send one. */
  public replicaSetCalls(): Recorded[] {
    return this.calls.filter((c) => c.path.includes('/replicasets'));
  }

  public githubCalls(method?: string): Recorded[] {
    return this.calls.filter((c) => c.path.startsWith('/repos/') && (!method || c.method === method));
  }

  private answer(method: string, url: string): [number, unknown] {
    // The Role grants nothing on ReplicaSets: answer like an API server enforcing it.
    if (/^\/apis\/apps\/v1\/(namespaces\/[^/]+\/)?replicasets([/?]|$)/.test(url)) {
      return [403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'replicasets.apps is forbidden' }];
    }
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url);
    if (m && method === 'GET') {
      const { owner: ref, labels } = podFixture(m[2]);
      return [200, {
        metadata: { name: m[2], namespace: m[1], labels, ownerReferences: ref ? [{ ...ref, controller: true, apiVersion: 'apps/v1', uid: 'u' }] : [] },
        spec: { nodeName: 'node-a' },
      }];
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets)\/([^/]+)$/.exec(url);
    if (m && m[3] !== 'orphan') {
      const rollout = this.fixture.rollout[m[3]] ?? { replicas: 2, readyReplicas: 2 };
      const strategy = rollout.strategy ? { [m[2] === 'deployments' ? 'strategy' : 'updateStrategy']: { type: rollout.strategy } } : {};
      return [200, {
        metadata: { name: m[3], namespace: m[1], annotations: this.fixture.annotations[`${m[1]}/${m[3]}`] ?? {} },
        spec: {
          replicas: rollout.replicas,
          ...strategy,
          selector: { matchLabels: { app: m[3] === 'stranger' ? 'someone-else' : m[3] } },
          template: { spec: { containers: [{ name: 'main', resources: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } } }] } },
        },
        status: { replicas: rollout.replicas, readyReplicas: rollout.readyReplicas },
      }];
    }
    if (url.startsWith('/repos/acme/shop/issues?') && method === 'GET') return [200, this.fixture.openIssues];
    if (url === '/hook' && method === 'POST') return [200, {}];
    if (url === '/repos/acme/shop/issues' && method === 'POST') return [201, { number: 101, html_url: 'https://github.com/acme/shop/issues/101' }];
    return [404, { message: 'not found' }];
  }
}

interface RunResult {
  readonly code: number | null;
  readonly lines: any[];
  readonly stdout: string;
}

let dir: string;
let bundlePath: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-remediation-'));
  bundlePath = path.join(dir, 'remediate.js');
  fs.writeFileSync(bundlePath, REMEDIATION_PROGRAM_JS);
  fs.writeFileSync(path.join(dir, 'token'), `${K8S_TOKEN}\n`);
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the bundle with `node` on a config; killed after 20 s so a hang cannot outlive the test. */
function runProgram(config: RemediationConfig, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const configPath = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(configPath, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundlePath, '--config', configPath, ...args], {
      env: { PATH: process.env.PATH, MEMGUARD_GITHUB_TOKEN: TOKEN, MEMGUARD_REDIS_PASSWORD: 'redis-pass', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (stderr) reject(new Error(`stderr: ${stderr}`));
      resolve({ code, stdout, lines: stdout.trim().split('\n').filter((l) => l).map((l) => JSON.parse(l)) });
    });
  });
}

/** Starts the fakes, runs the program once with `options`, stops the fakes (also on failure). */
async function scenario(fixture: Partial<Fixture>, options: Partial<RemediationOptions> = {}, args: string[] = [], webhook = false) {
  let config: RemediationConfig | undefined;
  const apis = new FakeApis({ ratio: [[]], annotations: {}, openIssues: [], rollout: {}, ...fixture }, () => config!);
  await apis.start();
  try {
    const built = remediationConfig({
      targetNamespaces: ['shop'],
      prometheusUrl: apis.promUrl,
      kubernetesApiUrl: apis.apiUrl,
      waitSeconds: 0,
      escalation: { github: { repository: 'acme/shop', apiUrl: apis.apiUrl, tokenSecret: { secretName: 'gh', key: 'token' } } },
      ...options,
    });
    config = { ...built, kubernetes: { apiUrl: built.kubernetes.apiUrl, tokenPath: path.join(dir, 'token') } };
    const result = await runProgram(config, args, webhook ? { MEMGUARD_WEBHOOK_URL: `${apis.apiUrl}/hook` } : {});
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.stdout).not.toContain('redis-pass');
    expect(apis.replicaSetCalls()).toEqual([]);
    return { apis, result, config };
  } finally {
    await apis.stop();
  }
}

const events = (r: RunResult) => r.lines.map((l) => l.event);
const HIGH: Array<[string, string, string, number]> = [['shop', 'web-5d8-aaaaa', 'main', 0.93]];
const STILL_HIGH: Array<[string, string, string, number]> = [['shop', 'web-5d8-bbbbb', 'main', 0.91]];

describe('remediation program, end to end', () => {
  test('GIVEN every container below the threshold WHEN it runs THEN it calls no Kubernetes or GitHub API and exits 0', async () => {
    const { apis, result } = await scenario({ ratio: [[['shop', 'web-5d8-aaaaa', 'main', 0.5], ['shop', 'web-5d8-bbbbb', 'main', 0.85]]] });
    expect(result.code).toBe(0);
    expect(events(result)).toEqual(['measured', 'all-below-threshold']);
    expect(result.lines[0]).toMatchObject({ level: 'info', phase: 'first-check', series: 2, aboveThreshold: 0, dryRun: false });
    expect(apis.calls).toEqual([]);
  });

  test('GIVEN a Deployment above WHEN it runs THEN it restarts it with one strategic merge patch, waits, re-checks, and escalates nothing when back below', async () => {
    const { apis, result } = await scenario({ ratio: [HIGH, []] }, { waitSeconds: 0.2 });
    expect(result.code).toBe(0);
    // The Deployment is named after the ReplicaSet minus the pod's pod-template-hash and read once: the owner check
    // (its selector selects the pod) and the cooldown annotation come from the same GET.
    expect(apis.k8sCalls().map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/namespaces/shop/pods/web-5d8-aaaaa',
      'GET /apis/apps/v1/namespaces/shop/deployments/web',
      'PATCH /apis/apps/v1/namespaces/shop/deployments/web',
    ]);
    const patch = apis.k8sCalls('PATCH')[0];
    expect(patch.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(patch.headers.authorization).toBe(`Bearer ${K8S_TOKEN}`);
    const body = JSON.parse(patch.body);
    const at = body.metadata.annotations['memguard.io/last-remediation'];
    expect(Number.isNaN(Date.parse(at))).toBe(false);
    expect(body).toEqual({
      metadata: { annotations: { 'memguard.io/last-remediation': at, 'memguard.io/last-remediation-actions': 'restart' } },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
    });
    expect(events(result)).toEqual(['measured', 'decision', 'action', 'waiting', 'measured', 'recheck']);
    expect(result.lines[2]).toMatchObject({ workload: 'shop/Deployment/web', action: 'restart', outcome: 'done' });
    expect(result.lines[5]).toMatchObject({ workload: 'shop/Deployment/web', beforePercent: 93, afterPercent: 0, stillAboveThreshold: false });
    expect(apis.githubCalls()).toEqual([]);
  });

  test('GIVEN a Deployment still high after the restart WHEN it runs THEN it opens exactly one GitHub issue with the incident report', async () => {
    const { apis, result, config } = await scenario({ ratio: [HIGH, STILL_HIGH] });
    expect(result.code).toBe(0);
    expect(apis.githubCalls().map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /repos/acme/shop/issues?state=open&labels=memguard&per_page=100&page=1',
      'POST /repos/acme/shop/issues',
    ]);
    const post = apis.githubCalls('POST')[0];
    expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const issue = JSON.parse(post.body);
    expect(issue.title).toBe('[memguard] Memory near limit: shop/Deployment/web');
    expect(issue.labels).toEqual(['memguard', 'memory-incident']);
    expect(issue.body).toContain('- **Workload:** `shop/Deployment/web`');
    expect(issue.body).toContain('- **Peak memory:** 98.0% of the limit (threshold 85.0%)');
    expect(issue.body).toContain('`restart`: done');
    expect(issue.body).toContain('| web-5d8-bbbbb | main | 91.0% |');
    expect(issue.body).toContain('- OOM kills: last termination OOMKilled for web-5d8-aaaaa/main.');
    expect(issue.body).toContain('- [ ] Find the cause');
    // the diagnostics were asked once each, after the re-check
    expect(apis.promQueries).toEqual([config.ratioQuery, config.ratioQuery, ...Object.values(config.diagnostics)]);
    expect(result.lines.find((l) => l.event === 'escalated')).toMatchObject({ workload: 'shop/Deployment/web', via: 'github', issue: 101 });
  });

  test('GIVEN webhook escalation WHEN still high THEN it posts the report once and records it on the workload; within the cooldown it does not post again', async () => {
    const options: Partial<RemediationOptions> = { escalation: { webhook: { urlSecret: { secretName: 'hook', key: 'url' } } } };
    const first = await scenario({ ratio: [HIGH, STILL_HIGH] }, options, [], true);
    const posts = first.apis.calls.filter((c) => c.path === '/hook');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0].body)).toMatchObject({ title: '[memguard] Memory near limit: shop/Deployment/web', workload: { namespace: 'shop', kind: 'Deployment', name: 'web' } });
    const record = first.apis.k8sCalls('PATCH')[1];
    expect(Object.keys(JSON.parse(record.body).metadata.annotations)).toEqual(['memguard.io/last-escalation']);
    expect(first.result.stdout).not.toContain('/hook');
    const recent = new Date(Date.now() - 60_000).toISOString();
    const again = await scenario({
      ratio: [HIGH, STILL_HIGH],
      annotations: { 'shop/web': { 'memguard.io/last-remediation': recent, 'memguard.io/last-escalation': recent } },
    }, options, [], true);
    expect(again.apis.calls.filter((c) => c.path === '/hook')).toEqual([]);
    expect(again.result.lines.find((l) => l.event === 'escalation-duplicate')).toMatchObject({ lastEscalation: recent });
  });

  test('GIVEN an open issue for the workload WHEN it is still high THEN no second issue is opened', async () => {
    const { apis, result } = await scenario({
      ratio: [HIGH, STILL_HIGH],
      openIssues: [{ number: 3, title: 'something else' }, { number: 42, title: '[memguard] Memory near limit: shop/Deployment/web' }],
    });
    expect(result.code).toBe(0);
    expect(apis.githubCalls('POST')).toEqual([]);
    expect(result.lines.find((l) => l.event === 'escalation-duplicate')).toMatchObject({ workload: 'shop/Deployment/web', issue: 42 });
  });

  test('GIVEN a Deployment remediated a minute ago WHEN it is still high THEN the cooldown holds (no PATCH) and it escalates', async () => {
    const recent = new Date(Date.now() - 60_000).toISOString();
    const { apis, result } = await scenario({ ratio: [HIGH, STILL_HIGH], annotations: { 'shop/web': { 'memguard.io/last-remediation': recent } } });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH')).toEqual([]);
    expect(result.lines.find((l) => l.event === 'decision')).toMatchObject({ disposition: 'cooldown', actions: [], skippedActions: ['restart'] });
    expect(events(result)).not.toContain('waiting');
    expect(JSON.parse(apis.githubCalls('POST')[0].body).body).toContain('- None: in cooldown until');
  });

  test('GIVEN two Deployments above and maxActionsPerRun 1 WHEN it runs THEN only the worse one is restarted and the other is deferred, not escalated', async () => {
    const { apis, result } = await scenario({
      ratio: [[['shop', 'web-5d8-aaaaa', 'main', 0.9], ['shop', 'api-77-xxxxx', 'main', 0.97]], [['shop', 'web-5d8-aaaaa', 'main', 0.9]]],
    }, { maxActionsPerRun: 1 });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH').map((c) => c.path)).toEqual(['/apis/apps/v1/namespaces/shop/deployments/api']);
    expect(result.lines.filter((l) => l.event === 'decision').map((l) => [l.workload, l.disposition])).toEqual([
      ['shop/Deployment/api', 'remediate'],
      ['shop/Deployment/web', 'deferred'],
    ]);
    expect(apis.githubCalls()).toEqual([]);
  });

  test('GIVEN the fake API server forbids ReplicaSets (403) WHEN Deployment pods are above, still high, and escalated THEN the program never asks for a ReplicaSet', async () => {
    const probe = new FakeApis({ ratio: [[]], annotations: {}, openIssues: [], rollout: {} }, () => { throw new Error('no config'); });
    await probe.start();
    try {
      const forbidden = await new Promise<number>((resolve, reject) => {
        http.get(`${probe.apiUrl}/apis/apps/v1/namespaces/shop/replicasets/web-5d8`, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
      });
      expect(forbidden).toBe(403);
      expect(probe.replicaSetCalls()).toHaveLength(1);
    } finally {
      await probe.stop();
    }
    const { apis, result } = await scenario({
      ratio: [[['shop', 'web-5d8-aaaaa', 'main', 0.93], ['shop', 'api-77-xxxxx', 'main', 0.95]], STILL_HIGH],
    });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH').map((c) => c.path)).toEqual([
      '/apis/apps/v1/namespaces/shop/deployments/api',
      '/apis/apps/v1/namespaces/shop/deployments/web',
    ]);
    expect(apis.githubCalls('POST')).toHaveLength(1);
    expect(apis.replicaSetCalls()).toEqual([]);
    expect(apis.k8sCalls().every((c) => /\/(pods|deployments)\//.test(c.path))).toBe(true);
  });

  test.each([
    ['no pod-template-hash label', 'nohash-6c4-aaaaa', 'ReplicaSet/nohash-6c4',
      'the pod has no "pod-template-hash" label, so ReplicaSet "nohash-6c4" cannot be traced to a Deployment', []],
    ['a ReplicaSet name that does not end in the hash', 'renamed-6c4-aaaaa', 'ReplicaSet/renamed-6c4',
      'ReplicaSet "renamed-6c4" is not named "<deployment>-9f1" after the pod\'s pod-template-hash "9f1"', []],
    ['a Deployment whose selector does not select the pod', 'stranger-6c4-aaaaa', 'ReplicaSet/stranger-6c4',
      'the selector of Deployment "stranger" does not select the pod', ['GET /apis/apps/v1/namespaces/shop/deployments/stranger']],
    ['no Deployment of the derived name', 'orphan-6c4-aaaaa', 'ReplicaSet/orphan-6c4',
      'Deployment "orphan" could not be read: GET /apis/apps/v1/namespaces/shop/deployments/orphan: HTTP 404', ['GET /apis/apps/v1/namespaces/shop/deployments/orphan']],
  ])('GIVEN a ReplicaSet pod with %s WHEN it is above THEN it logs an error, touches nothing and exits 1', async (_what, pod, owner, reason, deploymentCalls) => {
    const { apis, result } = await scenario({ ratio: [[['shop', pod, 'main', 0.96]]] });
    expect(result.code).toBe(1);
    expect(result.lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ event: 'owner-unresolved', pod: `shop/${pod}`, owner, reason, consequence: 'no action' }),
    ]);
    expect(apis.k8sCalls().map((c) => `${c.method} ${c.path}`)).toEqual([`GET /api/v1/namespaces/shop/pods/${pod}`, ...deploymentCalls]);
    expect(events(result)).not.toContain('decision');
    expect(apis.githubCalls()).toEqual([]);
  });

  test('GIVEN a StatefulSet pod above WHEN it runs THEN the StatefulSet is patched directly', async () => {
    const { apis } = await scenario({ ratio: [[['shop', 'db-0', 'postgres', 0.96]], []] });
    expect(apis.k8sCalls().map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/namespaces/shop/pods/db-0',
      'GET /apis/apps/v1/namespaces/shop/statefulsets/db',
      'PATCH /apis/apps/v1/namespaces/shop/statefulsets/db',
    ]);
  });

  test('GIVEN a DaemonSet pod above WHEN it runs THEN it is logged as unsupported and nothing is patched', async () => {
    const { apis, result } = await scenario({ ratio: [[['shop', 'node-agent-x1', 'agent', 0.96]]] });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH')).toEqual([]);
    expect(result.lines.find((l) => l.event === 'unsupported-owner')).toMatchObject({ level: 'warn', pod: 'shop/node-agent-x1', owner: 'DaemonSet' });
  });

  test('GIVEN dry-run WHEN a Deployment is high THEN it logs what it would do and sends no PATCH, no POST, no re-check', async () => {
    const { apis, result, config } = await scenario({ ratio: [HIGH, STILL_HIGH] }, {}, ['--dry-run']);
    expect(result.code).toBe(0);
    expect(apis.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    expect(apis.promQueries).toEqual([config.ratioQuery]);
    expect(result.lines.find((l) => l.event === 'action')).toMatchObject({ action: 'restart', outcome: 'dry-run', dryRun: true });
    expect(result.lines.find((l) => l.event === 'dry-run-summary')).toMatchObject({ wouldRecheckAndEscalateIfStillHigh: ['shop/Deployment/web'] });
  });

  test('GIVEN Prometheus refuses connections WHEN it runs THEN it logs the error, takes no action and exits 1', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const config = remediationConfig({ targetNamespaces: ['shop'], prometheusUrl: `http://127.0.0.1:${port}`, kubernetesApiUrl: `http://127.0.0.1:${port}` });
    const down = await runProgram({ ...config, kubernetes: { apiUrl: config.kubernetes.apiUrl, tokenPath: path.join(dir, 'token') } });
    expect(down.code).toBe(1);
    expect(down.lines).toHaveLength(1);
    expect(down.lines[0]).toMatchObject({ level: 'error', event: 'prometheus-error', phase: 'first-check', prometheus: `http://127.0.0.1:${port}`, consequence: 'no action' });
    expect(down.lines[0].error).toMatch(/ECONNREFUSED/);
  });

  test.each([
    ['an HTML page', '<html>oops</html>', 'Prometheus answer is not JSON: "<html>oops</html>"'],
    ['a failed query', '{"status":"error","errorType":"bad_data","error":"parse error"}', 'Prometheus query failed: status "error", error "parse error"'],
  ])('GIVEN Prometheus answers %s WHEN it runs THEN it logs the error, takes no action and exits 1', async (_what, body, message) => {
    const { apis, result } = await scenario({ ratio: [body] });
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([expect.objectContaining({ level: 'error', event: 'prometheus-error', error: message, consequence: 'no action' })]);
    expect(apis.calls).toEqual([]);
  });

  const redisOptions = (port: number): Partial<RemediationOptions> => ({
    actions: ['flush-redis', 'restart'],
    redis: { host: '127.0.0.1', port, passwordSecret: { secretName: 'redis', key: 'password' }, workload: { kind: 'Deployment', name: 'cache' } },
  });
  const redisCli = (port: number, ...args: string[]) =>
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '-a', 'redis-pass', '--no-auth-warning', ...args]).toString().trim();

  test('GIVEN flush-redis then restart WHEN the cache\'s own Deployment is high THEN a real Redis is flushed (with AUTH) and the Deployment restarted', async () => {
    const redis = await startRedis('redis-pass');
    try {
      redisCli(redis.port, 'SET', 'k', 'v');
      const { apis, result } = await scenario({ ratio: [[['shop', 'cache-9c1-aaaaa', 'redis', 0.93]], []] }, redisOptions(redis.port));
      expect(result.code).toBe(0);
      expect(redisCli(redis.port, 'DBSIZE')).toBe('0');
      expect(result.lines.filter((l) => l.event === 'action').map((l) => [l.workload, l.action, l.outcome, l.detail])).toEqual([
        ['shop/Deployment/cache', 'flush-redis', 'done', `FLUSHALL on 127.0.0.1:${redis.port}: +OK`],
        ['shop/Deployment/cache', 'restart', 'done', 'rollout restart (restartedAt annotation)'],
      ]);
      expect(apis.k8sCalls('PATCH').map((c) => c.path)).toEqual(['/apis/apps/v1/namespaces/shop/deployments/cache']);
      expect(JSON.parse(apis.k8sCalls('PATCH')[0].body).metadata.annotations['memguard.io/last-remediation-actions']).toBe('flush-redis,restart');
    } finally {
      await redis.stop();
    }
  });

  test('GIVEN flush-redis then restart WHEN PostgreSQL (1-replica StatefulSet) and a web Deployment are high but not the cache THEN Redis keeps its keys, web is only restarted, PostgreSQL is left alone and escalated', async () => {
    const redis = await startRedis('redis-pass');
    try {
      redisCli(redis.port, 'SET', 'k', 'v');
      const { apis, result } = await scenario({
        ratio: [[['shop', 'db-0', 'postgres', 0.96], ['shop', 'web-5d8-aaaaa', 'main', 0.93]], [['shop', 'db-0', 'postgres', 0.96]]],
        rollout: { db: { replicas: 1, readyReplicas: 1 } },
      }, redisOptions(redis.port));
      expect(result.code).toBe(0);
      expect(redisCli(redis.port, 'DBSIZE')).toBe('1');
      expect(result.lines.filter((l) => l.event === 'action').map((l) => [l.workload, l.action])).toEqual([['shop/Deployment/web', 'restart']]);
      expect(apis.k8sCalls('PATCH').map((c) => c.path)).toEqual(['/apis/apps/v1/namespaces/shop/deployments/web']);
      expect(JSON.parse(apis.k8sCalls('PATCH')[0].body).metadata.annotations['memguard.io/last-remediation-actions']).toBe('restart');
      const decisions = result.lines.filter((l) => l.event === 'decision');
      expect(decisions.map((l) => [l.workload, l.disposition, l.actions, (l.notApplicable ?? []).map((n: any) => n.action)])).toEqual([
        ['shop/StatefulSet/db', 'skipped', [], ['flush-redis', 'restart']],
        ['shop/Deployment/web', 'remediate', ['restart'], ['flush-redis']],
      ]);
      expect(decisions[1].notApplicable[0].reason).toBe('the Redis cache belongs to shop/Deployment/cache; flushing it frees no memory in this workload');
      expect(result.lines.filter((l) => l.event === 'restart-skipped')).toEqual([expect.objectContaining({
        level: 'warn',
        workload: 'shop/StatefulSet/db',
        actions: ['restart'],
        reason: '1 ready of 1 replicas: a rollout leaves nothing serving',
        replicas: 1,
        readyReplicas: 1,
        strategy: 'RollingUpdate',
        consequence: 'escalated if still above the threshold at the re-check',
      })]);
      const issue = JSON.parse(apis.githubCalls('POST')[0].body);
      expect(issue.title).toBe('[memguard] Memory near limit: shop/StatefulSet/db');
      expect(issue.body).toContain('- `flush-redis`: not run: the Redis cache belongs to shop/Deployment/cache; flushing it frees no memory in this workload.');
      expect(issue.body).toContain('- `restart`: not run: 1 ready of 1 replicas: a rollout leaves nothing serving (set restartSingleReplica to accept the outage).');
    } finally {
      await redis.stop();
    }
  });

  test('GIVEN a 1-replica Deployment above WHEN it runs with the defaults THEN it is not restarted, the skip is logged once and it is escalated', async () => {
    const { apis, result } = await scenario({ ratio: [HIGH, STILL_HIGH], rollout: { web: { replicas: 1, readyReplicas: 1 } } });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH')).toEqual([]);
    expect(events(result)).toEqual(['measured', 'decision', 'restart-skipped', 'measured', 'recheck', 'escalated']);
    expect(result.lines[1]).toMatchObject({ workload: 'shop/Deployment/web', disposition: 'skipped', actions: [] });
    expect(result.lines[2]).toMatchObject({ level: 'warn', workload: 'shop/Deployment/web', reason: '1 ready of 1 replicas: a rollout leaves nothing serving', replicas: 1, readyReplicas: 1 });
    expect(apis.githubCalls('POST')).toHaveLength(1);
    expect(JSON.parse(apis.githubCalls('POST')[0].body).body).toContain('- `restart`: not run: 1 ready of 1 replicas');
  });

  test('GIVEN a 1-replica Deployment above and restartSingleReplica WHEN it runs THEN it is restarted', async () => {
    const single = { web: { replicas: 1, readyReplicas: 1 } };
    const { apis, result } = await scenario({ ratio: [HIGH, []], rollout: single }, { restartSingleReplica: true });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH').map((c) => c.path)).toEqual(['/apis/apps/v1/namespaces/shop/deployments/web']);
    expect(events(result)).toEqual(['measured', 'decision', 'action', 'measured', 'recheck']);
    expect(result.lines[2]).toMatchObject({ action: 'restart', outcome: 'done' });
  });

  test('GIVEN a 3-replica Deployment with strategy Recreate above WHEN it runs with the defaults THEN it is not restarted and it is escalated', async () => {
    const { apis, result } = await scenario({ ratio: [HIGH, STILL_HIGH], rollout: { web: { replicas: 3, readyReplicas: 3, strategy: 'Recreate' } } });
    expect(result.code).toBe(0);
    expect(apis.k8sCalls('PATCH')).toEqual([]);
    expect(result.lines.find((l) => l.event === 'restart-skipped')).toMatchObject({
      workload: 'shop/Deployment/web',
      reason: 'Deployment strategy Recreate stops every pod before starting new ones',
      replicas: 3,
      readyReplicas: 3,
      strategy: 'Recreate',
    });
    expect(apis.githubCalls('POST')).toHaveLength(1);
  });
});

/** A throwaway redis-server on a free port, no persistence, in the test's temp dir. */
async function startRedis(password: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--requirepass', password, '--dir', dir], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is missing: install the Debian package redis-server');
  }
  await new Promise<void>((resolve, reject) => {
    child.on('error', () => reject(new Error('redis-server is missing: install the Debian package redis-server')));
    const deadline = Date.now() + 10_000;
    const tryConnect = () => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(); });
      socket.on('error', () => (Date.now() > deadline ? reject(new Error('redis-server did not start')) : setTimeout(tryConnect, 50)));
    };
    tryConnect();
  });
  return {
    port,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
