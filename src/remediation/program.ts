/**
 * The memguard remediation program: one run per CronJob tick.
 *
 * 1. ask Prometheus which containers are above the threshold (the ContainerMemoryNearLimit expression);
 * 2. resolve each pod to its Deployment or StatefulSet (a ReplicaSet's Deployment from the pod-template-hash, never by
 *    reading the ReplicaSet: the Role does not grant it), read its cooldown annotation, replicas and rollout strategy,
 *    decide (decide.ts) and act: `flush-redis` (the cache's own workload only), `restart`, `raise-limit` (only where a
 *    rollout keeps serving, unless `restartSingleReplica`), within the cooldown and the per-run budget;
 * 3. wait, re-check;
 * 4. escalate what is still high: a GitHub issue (never a second one while one is open) or a webhook post.
 *
 * It uses Node built-ins only (it runs on a plain `node` image from a ConfigMap) and imports nothing else at run time
 * but `./decide`, which the bundle script packs with it. Every event is logged as one JSON line on stdout; secrets
 * (tokens, passwords, the webhook URL) are read from the environment and never logged.
 *
 * Exit code: 0 when the run completed (with or without actions); 1 when anything failed (Prometheus down or garbage, an
 * API call refused), so the Job is marked failed and kube-prometheus-stack's KubeJobFailed alert sees it; 2 for a bad
 * config or command line.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import {
  aboveThreshold, ActionRecord, ContainerSample, decide, deploymentNameFromReplicaSet, ENV_GITHUB_TOKEN, ENV_REDIS_PASSWORD,
  ENV_WEBHOOK_URL, incidentReport, IncidentFacts, issueTitle, LAST_ESCALATION_ANNOTATION, parseConfig, parseVector,
  raiseLimitPatch, remediationPatch, RemediationConfig, ROLLOUT_ACTIONS, rolloutOutageReason, selectorMatchesLabels, TemplateContainer,
  toContainerSamples, toEscalate, VectorSample, WorkloadDecision, WorkloadMeasurement, WorkloadRef, workloadKey,
} from './decide';

/** Where the CronJob mounts the config. */
export const DEFAULT_CONFIG_PATH = '/etc/memguard/config.json';

const HELP = `Usage: node remediate.js [--config <path>] [--dry-run]

One remediation run: query Prometheus for containers above the memory threshold, act on their Deployments and
StatefulSets (restart, flush-redis, raise-limit) within the cooldown and the per-run budget, wait, re-check, and
escalate what is still high (GitHub issue or webhook).

Options:
  --config <path>  the JSON config (default: $MEMGUARD_CONFIG or ${DEFAULT_CONFIG_PATH})
  --dry-run        only report what would be done (overrides the config)
  --help           show this help

Environment: ${ENV_GITHUB_TOKEN}, ${ENV_WEBHOOK_URL}, ${ENV_REDIS_PASSWORD} (from Secrets; never logged).
Exit code: 0 run completed, 1 something failed (nothing is done after a failed Prometheus query), 2 bad config.
`;

/** Writes one log line. */
export type LineWriter = (line: string) => void;

interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly ca?: string;
}

/** Largest answer read (a Prometheus vector over a few namespaces is far smaller). */
const MAX_BODY_BYTES = 16 * 2 ** 20;

/** One HTTP(S) request with a timeout and a bounded body. */
function request(url: string, options: RequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'memguard-remediation', ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = client.request(target, { method: options.method ?? 'GET', headers, ...(options.ca ? { ca: options.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The host part of a URL, for messages (no path, query or credentials). */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid URL>';
  }
}

/** Sends FLUSHALL ASYNC over RESP (after AUTH when a password is given); resolves with Redis's reply line. */
export function redisFlushAll(host: string, port: number, password: string | undefined, timeoutMs: number): Promise<string> {
  const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const expected = password === undefined ? 1 : 2;
    let buffer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`Redis ${host}:${port} did not answer within ${timeoutMs} ms`)));
    socket.on('error', reject);
    socket.on('connect', () => {
      // FLUSHALL ASYNC frees memory in a background thread, so a large cache does not block Redis for seconds.
      socket.write((password === undefined ? '' : command('AUTH', password)) + command('FLUSHALL', 'ASYNC'));
    });
    socket.on('data', (data) => {
      buffer += data.toString('utf8');
      const lines = buffer.split('\r\n').filter((l) => l !== '');
      if (lines.length < expected) return;
      socket.end();
      const failure = lines.find((l) => l.startsWith('-'));
      if (failure) reject(new Error(`Redis refused: ${failure.slice(1)}`));
      else resolve(lines[expected - 1]);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PodInfo {
  readonly workload?: WorkloadRef;
  readonly node?: string;
  readonly ownerKind?: string;
  /** The owner could not be resolved safely (already logged as an error). */
  readonly unresolved?: boolean;
}

/** One run of the program, with its clients. */
class Run {
  private errors = 0;
  private readonly timeoutMs: number;
  private readonly pods = new Map<string, PodInfo>();
  /** The workload objects read this run (annotations, pod template). */
  private readonly objects = new Map<string, any>();

  constructor(private readonly config: RemediationConfig, private readonly env: NodeJS.ProcessEnv, private readonly out: LineWriter) {
    this.timeoutMs = config.requestTimeoutSeconds * 1000;
  }

  public log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}): void {
    if (level === 'error') this.errors++;
    this.out(JSON.stringify({ time: new Date().toISOString(), level, event, dryRun: this.config.dryRun, ...fields }));
  }

  public async execute(): Promise<number> {
    const config = this.config;
    const samples = await this.queryAbove('first-check');
    if (samples === undefined) return 1;
    if (samples.length === 0) {
      this.log('info', 'all-below-threshold', { thresholdPercent: config.thresholdRatio * 100 });
      return this.exitCode();
    }
    const measurements = await this.measurements(samples);
    const now = new Date();
    const decisions = decide(measurements, config, now);
    for (const d of decisions) {
      this.log('info', 'decision', {
        workload: workloadKey(d.workload),
        peakPercent: round(d.peakRatio * 100),
        disposition: d.disposition,
        actions: d.actions,
        skippedActions: d.skippedActions,
        ...(d.notApplicable.length > 0 ? { notApplicable: d.notApplicable } : {}),
        ...(d.cooldownUntil ? { cooldownUntil: d.cooldownUntil } : {}),
      });
      const outage = d.notApplicable.filter((n) => ROLLOUT_ACTIONS.includes(n.action));
      if (outage.length > 0) {
        const object = this.objects.get(workloadKey(d.workload));
        this.log('warn', 'restart-skipped', {
          workload: workloadKey(d.workload),
          actions: outage.map((n) => n.action),
          reason: measurements.find((m) => workloadKey(m.workload) === workloadKey(d.workload))?.rolloutOutage,
          replicas: object?.spec?.replicas ?? 1,
          readyReplicas: object?.status?.readyReplicas ?? 0,
          strategy: (d.workload.kind === 'Deployment' ? object?.spec?.strategy?.type : object?.spec?.updateStrategy?.type) ?? 'RollingUpdate',
          consequence: 'escalated if still above the threshold at the re-check',
        });
      }
    }
    const records = new Map<string, ActionRecord[]>();
    let acted = false;
    for (const d of decisions.filter((x) => x.disposition === 'remediate')) {
      const done: ActionRecord[] = [];
      records.set(workloadKey(d.workload), done);
      let patched = false;
      for (const action of d.actions) {
        if (action === 'flush-redis') {
          const redisFlush = await this.flushRedis(d.workload);
          done.push(redisFlush);
          this.log('info', 'action', { workload: workloadKey(d.workload), ...redisFlush });
        } else if (!patched) {
          patched = true;
          for (const record of await this.patchWorkload(d, measurements, now)) {
            done.push(record);
            this.log(record.outcome === 'failed' ? 'error' : 'info', 'action', { workload: workloadKey(d.workload), ...record });
          }
        }
      }
      acted = acted || d.actions.length > 0;
    }
    if (config.dryRun) {
      const candidates = decisions.filter((d) => d.disposition !== 'deferred').map((d) => workloadKey(d.workload));
      this.log('info', 'dry-run-summary', { wouldRecheckAndEscalateIfStillHigh: candidates });
      return this.exitCode();
    }
    if (acted && config.waitSeconds > 0) {
      this.log('info', 'waiting', { seconds: config.waitSeconds });
      await sleep(config.waitSeconds * 1000);
    }
    const after = await this.queryAbove('re-check');
    if (after === undefined) return 1;
    const afterByWorkload = new Map<string, ContainerSample[]>();
    for (const s of after) {
      const info = await this.pod(s.namespace, s.pod);
      if (!info.workload) continue;
      const key = workloadKey(info.workload);
      afterByWorkload.set(key, [...(afterByWorkload.get(key) ?? []), s]);
    }
    for (const d of decisions) {
      const still = afterByWorkload.get(workloadKey(d.workload)) ?? [];
      this.log('info', 'recheck', {
        workload: workloadKey(d.workload),
        beforePercent: round(d.peakRatio * 100),
        afterPercent: round(Math.max(0, ...still.map((s) => s.ratio)) * 100),
        stillAboveThreshold: still.length > 0,
      });
    }
    const escalate = toEscalate(decisions, new Set(afterByWorkload.keys()));
    if (escalate.length > 0) await this.escalateAll(escalate, measurements, afterByWorkload, records, now);
    return this.exitCode();
  }

  private exitCode(): number {
    return this.errors > 0 ? 1 : 0;
  }

  /** The containers above the threshold, or undefined (logged) when Prometheus cannot be asked or answers garbage. */
  private async queryAbove(phase: string): Promise<ContainerSample[] | undefined> {
    try {
      const vector = await this.query(this.config.ratioQuery);
      const all = toContainerSamples(vector);
      const above = aboveThreshold(all, this.config.thresholdRatio, this.config.namespaces);
      this.log('info', 'measured', { phase, series: all.length, aboveThreshold: above.length });
      return above;
    } catch (e) {
      this.log('error', 'prometheus-error', { phase, prometheus: origin(this.config.prometheusUrl), error: (e as Error).message, consequence: 'no action' });
      return undefined;
    }
  }

  private async query(promql: string): Promise<VectorSample[]> {
    const url = `${this.config.prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const res = await request(url, { timeoutMs: this.timeoutMs, headers: { accept: 'application/json' } });
    if (res.status !== 200 && !(res.status >= 400 && res.status < 500 && res.body.startsWith('{'))) {
      throw new Error(`HTTP ${res.status} from ${origin(url)}`);
    }
    return parseVector(res.body);
  }

  private async kube(method: string, path: string, body?: unknown): Promise<any> {
    const k = this.config.kubernetes;
    const token = fs.readFileSync(k.tokenPath, 'utf8').trim(); // read each run: projected tokens rotate
    const res = await request(`${k.apiUrl}${path}`, {
      method,
      timeoutMs: this.timeoutMs,
      ...(k.caPath && k.apiUrl.startsWith('https:') ? { ca: fs.readFileSync(k.caPath, 'utf8') } : {}),
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/strategic-merge-patch+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return JSON.parse(res.body);
  }

  /** The pod's controlling workload (pod -> ReplicaSet name -> Deployment, or pod -> StatefulSet) and node. */
  private async pod(namespace: string, name: string): Promise<PodInfo> {
    const key = `${namespace}/${name}`;
    const cached = this.pods.get(key);
    if (cached) return cached;
    let info: PodInfo = {};
    try {
      const pod = await this.kube('GET', `/api/v1/namespaces/${namespace}/pods/${name}`);
      const owner = controllerOf(pod);
      const node: string | undefined = pod?.spec?.nodeName;
      if (owner?.kind === 'StatefulSet') {
        info = { workload: { namespace, kind: 'StatefulSet', name: owner.name }, node };
      } else if (owner?.kind === 'ReplicaSet') {
        info = await this.deploymentOf(namespace, key, pod, owner.name, node);
      } else {
        info = { ownerKind: owner?.kind ?? 'none', node };
      }
      if (!info.workload && !info.unresolved) {
        this.log('warn', 'unsupported-owner', { pod: key, owner: info.ownerKind, consequence: 'only Deployments and StatefulSets are remediated' });
      }
    } catch (e) {
      this.log('error', 'kubernetes-error', { pod: key, error: (e as Error).message });
    }
    this.pods.set(key, info);
    return info;
  }

  /**
   * The Deployment behind a pod's ReplicaSet, without reading the ReplicaSet (the Role grants nothing on ReplicaSets):
   * its name is the ReplicaSet's minus `-<pod-template-hash>`, and the Deployment, read with the `get` the Role grants,
   * must exist and select the pod. Anything else is logged as an error and the pod's workload is left alone.
   */
  private async deploymentOf(namespace: string, podKey: string, pod: any, replicaSet: string, node: string | undefined): Promise<PodInfo> {
    const unresolved = (reason: string): PodInfo => {
      this.log('error', 'owner-unresolved', { pod: podKey, owner: `ReplicaSet/${replicaSet}`, reason, consequence: 'no action' });
      return { ownerKind: 'ReplicaSet', node, unresolved: true };
    };
    const derived = deploymentNameFromReplicaSet(replicaSet, pod?.metadata?.labels);
    if (derived.error !== undefined) return unresolved(derived.error);
    const workload: WorkloadRef = { namespace, kind: 'Deployment', name: derived.name };
    let deployment: any;
    try {
      deployment = await this.kube('GET', workloadPath(workload));
    } catch (e) {
      return unresolved(`Deployment "${derived.name}" could not be read: ${(e as Error).message}`);
    }
    if (!selectorMatchesLabels(deployment?.spec?.selector, pod?.metadata?.labels)) {
      return unresolved(`the selector of Deployment "${derived.name}" does not select the pod`);
    }
    // measurements() reads the cooldown annotation from this object instead of a second GET.
    if (!this.objects.has(workloadKey(workload))) this.objects.set(workloadKey(workload), deployment);
    return { workload, node };
  }

  private async measurements(samples: readonly ContainerSample[]): Promise<WorkloadMeasurement[]> {
    const byKey = new Map<string, { workload: WorkloadRef; samples: ContainerSample[] }>();
    for (const s of samples) {
      const { workload } = await this.pod(s.namespace, s.pod);
      if (!workload) continue;
      const key = workloadKey(workload);
      const entry = byKey.get(key) ?? { workload, samples: [] };
      entry.samples.push(s);
      byKey.set(key, entry);
    }
    const result: WorkloadMeasurement[] = [];
    for (const { workload, samples: own } of byKey.values()) {
      try {
        const object = this.objects.get(workloadKey(workload)) ?? await this.kube('GET', workloadPath(workload));
        this.objects.set(workloadKey(workload), object);
        const last = object?.metadata?.annotations?.['memguard.io/last-remediation'];
        const outage = rolloutOutageReason(workload.kind, object);
        result.push({
          workload,
          samples: own,
          ...(typeof last === 'string' ? { lastRemediation: last } : {}),
          ...(outage !== undefined ? { rolloutOutage: outage } : {}),
        });
      } catch (e) {
        this.log('error', 'kubernetes-error', { workload: workloadKey(workload), error: (e as Error).message });
      }
    }
    return result;
  }


  /** One strategic merge PATCH per workload: cooldown annotations, restart, and the raised limits. */
  private async patchWorkload(d: WorkloadDecision, measurements: readonly WorkloadMeasurement[], now: Date): Promise<ActionRecord[]> {
    const at = now.toISOString();
    const patch: any = remediationPatch(d.actions, now);
    const records: ActionRecord[] = [];
    const outcome = this.config.dryRun ? 'dry-run' : 'done';
    if (d.actions.includes('restart')) records.push({ action: 'restart', at, outcome, detail: 'rollout restart (restartedAt annotation)' });
    if (d.actions.includes('raise-limit')) {
      const containers: TemplateContainer[] = this.objects.get(workloadKey(d.workload))?.spec?.template?.spec?.containers ?? [];
      const names = measurements.find((m) => workloadKey(m.workload) === workloadKey(d.workload))?.samples.map((s) => s.container) ?? [];
      const raised = raiseLimitPatch(containers, names, this.config.raiseLimit!.factor);
      patch.spec = { template: { ...(patch.spec?.template ?? {}), spec: (raised.patch as any).spec.template.spec } };
      const detail = raised.changes.map((c) => `${c.container}: ${c.from} -> ${c.to}`).join(', ') || 'no readable memory limit';
      records.push({ action: 'raise-limit', at, outcome, detail: `${detail}; the next GitOps sync reverts it` });
    }
    if (this.config.dryRun) return records;
    try {
      await this.kube('PATCH', workloadPath(d.workload), patch);
      return records;
    } catch (e) {
      return records.map((r) => ({ ...r, outcome: 'failed' as const, detail: (e as Error).message }));
    }
  }

  private async flushRedis(workload: WorkloadRef): Promise<ActionRecord> {
    const redis = this.config.redis!;
    const at = new Date().toISOString();
    const target = `${redis.host}:${redis.port}`;
    if (this.config.dryRun) return { action: 'flush-redis', at, outcome: 'dry-run', detail: `FLUSHALL on ${target}` };
    const password = redis.passwordFromEnv ? this.env[ENV_REDIS_PASSWORD] : undefined;
    if (redis.passwordFromEnv && !password) {
      this.log('error', 'redis-error', { workload: workloadKey(workload), redis: target, error: `${ENV_REDIS_PASSWORD} is not set` });
      return { action: 'flush-redis', at, outcome: 'failed', detail: `${ENV_REDIS_PASSWORD} is not set` };
    }
    try {
      const reply = await redisFlushAll(redis.host, redis.port, password, this.timeoutMs);
      return { action: 'flush-redis', at, outcome: 'done', detail: `FLUSHALL on ${target}: ${reply}` };
    } catch (e) {
      this.log('error', 'redis-error', { workload: workloadKey(workload), redis: target, error: (e as Error).message });
      return { action: 'flush-redis', at, outcome: 'failed', detail: (e as Error).message };
    }
  }

  private async diagnostics(): Promise<Record<string, VectorSample[] | undefined>> {
    const result: Record<string, VectorSample[] | undefined> = {};
    for (const [name, promql] of Object.entries(this.config.diagnostics)) {
      try {
        result[name] = await this.query(promql);
      } catch (e) {
        this.log('warn', 'diagnostic-query-failed', { query: name, error: (e as Error).message });
      }
    }
    return result;
  }

  private async escalateAll(
    escalate: readonly WorkloadDecision[],
    measurements: readonly WorkloadMeasurement[],
    after: ReadonlyMap<string, ContainerSample[]>,
    records: ReadonlyMap<string, ActionRecord[]>,
    now: Date,
  ): Promise<void> {
    const escalation = this.config.escalation;
    if (!escalation) {
      for (const d of escalate) this.log('warn', 'escalation-not-configured', { workload: workloadKey(d.workload) });
      return;
    }
    const diag = await this.diagnostics();
    const pressured = new Set((diag.nodePressureQuery ?? []).map((s) => s.metric.node).filter((n) => n));
    for (const d of escalate) {
      const key = workloadKey(d.workload);
      const before = measurements.find((m) => workloadKey(m.workload) === key)?.samples ?? [];
      const afterSamples = after.get(key) ?? [];
      const pods = new Set([...before, ...afterSamples].map((s) => s.pod));
      const mine = (v: VectorSample[] | undefined) => (v ?? []).filter((s) => s.metric.namespace === d.workload.namespace && pods.has(s.metric.pod));
      const maxOf = (v: VectorSample[] | undefined) => (mine(v).length === 0 ? undefined : Math.max(...mine(v).map((s) => s.value)));
      const nodes = [...pods].map((p) => this.pods.get(`${d.workload.namespace}/${p}`)?.node).filter((n): n is string => !!n && pressured.has(n));
      const facts: IncidentFacts = {
        workload: d.workload,
        now,
        thresholdRatio: this.config.thresholdRatio,
        before,
        after: afterSamples,
        peakRatio: maxOf(diag.peakQuery),
        minutesAbove: maxOf(diag.minutesAboveQuery),
        growthBytesPerSecond: maxOf(diag.growthQuery),
        oomKilledContainers: [...new Set(mine(diag.oomKillsQuery).map((s) => `${s.metric.pod}/${s.metric.container}`))],
        pressuredNodes: [...new Set(nodes)],
        actions: records.get(key) ?? [],
        notApplicable: d.notApplicable,
        ...(d.disposition === 'cooldown' ? { noActionReason: `in cooldown until ${d.cooldownUntil}` } : {}),
      };
      try {
        if (escalation.kind === 'github') await this.openIssue(escalation, facts);
        else await this.postWebhook(facts);
      } catch (e) {
        this.log('error', 'escalation-error', { workload: key, error: (e as Error).message });
      }
    }
  }

  private async openIssue(github: Extract<RemediationConfig['escalation'], { kind: 'github' }>, facts: IncidentFacts): Promise<void> {
    const key = workloadKey(facts.workload);
    const token = this.env[ENV_GITHUB_TOKEN];
    if (!token) throw new Error(`${ENV_GITHUB_TOKEN} is not set`);
    const headers = {
      'authorization': `Bearer ${token}`,
      'accept': 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    };
    const title = issueTitle(facts.workload);
    // The list endpoint, not search: search is eventually consistent, so an issue opened by the previous run could be
    // missed and duplicated.
    for (let page = 1; page <= 10; page++) {
      const url = `${github.apiUrl}/repos/${github.repository}/issues?state=open&labels=${encodeURIComponent(github.labels[0])}&per_page=100&page=${page}`;
      const res = await request(url, { headers, timeoutMs: this.timeoutMs });
      if (res.status !== 200) throw new Error(`listing open issues: HTTP ${res.status}`);
      const issues = JSON.parse(res.body);
      if (!Array.isArray(issues)) throw new Error('listing open issues: not a JSON array');
      const open = issues.find((i: any) => i?.title === title && !i.pull_request);
      if (open) {
        this.log('info', 'escalation-duplicate', { workload: key, issue: open.number, consequence: 'no new issue while one is open' });
        return;
      }
      if (issues.length < 100) break;
    }
    const res = await request(`${github.apiUrl}/repos/${github.repository}/issues`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      timeoutMs: this.timeoutMs,
      body: JSON.stringify({ title, body: incidentReport(facts), labels: github.labels }),
    });
    if (res.status !== 201) throw new Error(`creating the issue: HTTP ${res.status}`);
    const created = JSON.parse(res.body);
    this.log('info', 'escalated', { workload: key, via: 'github', issue: created.number, url: created.html_url });
  }

  private async postWebhook(facts: IncidentFacts): Promise<void> {
    const key = workloadKey(facts.workload);
    const url = this.env[ENV_WEBHOOK_URL];
    if (!url) throw new Error(`${ENV_WEBHOOK_URL} is not set`);
    const last = this.objects.get(key)?.metadata?.annotations?.[LAST_ESCALATION_ANNOTATION];
    const lastAt = typeof last === 'string' ? Date.parse(last) : NaN;
    if (!Number.isNaN(lastAt) && facts.now.getTime() - lastAt < this.config.cooldownSeconds * 1000) {
      this.log('info', 'escalation-duplicate', { workload: key, lastEscalation: last, consequence: 'no new post within the cooldown' });
      return;
    }
    const body = JSON.stringify({
      title: issueTitle(facts.workload),
      text: incidentReport(facts),
      workload: facts.workload,
      thresholdPercent: facts.thresholdRatio * 100,
      measurements: { before: facts.before, after: facts.after },
      actions: facts.actions,
    });
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: this.timeoutMs });
    if (res.status < 200 || res.status >= 300) throw new Error(`webhook ${origin(url)}: HTTP ${res.status}`);
    await this.kube('PATCH', workloadPath(facts.workload), { metadata: { annotations: { [LAST_ESCALATION_ANNOTATION]: facts.now.toISOString() } } });
    this.log('info', 'escalated', { workload: key, via: 'webhook', webhook: origin(url) });
  }
}

function controllerOf(object: any): { kind: string; name: string } | undefined {
  const refs: any[] = Array.isArray(object?.metadata?.ownerReferences) ? object.metadata.ownerReferences : [];
  const ref = refs.find((r) => r?.controller === true) ?? refs[0];
  return ref && typeof ref.kind === 'string' && typeof ref.name === 'string' ? { kind: ref.kind, name: ref.name } : undefined;
}

function workloadPath(w: WorkloadRef): string {
  return `/apis/apps/v1/namespaces/${w.namespace}/${w.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${w.name}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Runs the program with a command line; resolves with the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, out: LineWriter): Promise<number> {
  let configPath = env.MEMGUARD_CONFIG ?? DEFAULT_CONFIG_PATH;
  let dryRunFlag = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      out(HELP);
      return 0;
    } else if (arg === '--dry-run') {
      dryRunFlag = true;
    } else if (arg === '--config' && argv[i + 1] !== undefined) {
      configPath = argv[++i];
    } else {
      out(JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'usage', error: `unknown argument ${JSON.stringify(arg)}` }));
      return 2;
    }
  }
  let config: RemediationConfig;
  try {
    config = parseConfig(fs.readFileSync(configPath, 'utf8'));
  } catch (e) {
    out(JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'config-error', config: configPath, error: (e as Error).message }));
    return 2;
  }
  if (dryRunFlag) config = { ...config, dryRun: true };
  const run = new Run(config, env, out);
  try {
    return await run.execute();
  } catch (e) {
    run.log('error', 'unexpected-error', { error: (e as Error).message });
    return 1;
  }
}
