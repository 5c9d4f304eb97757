/**
 * Runs Debian's real `promtool` (package `prometheus`, 2.42) over rule groups built by memguard.
 *
 * promtool reads plain Prometheus rule files, so the groups are written as YAML (`groups: [...]`) to a temp dir that is
 * removed afterwards, even when promtool fails. Never emit the rule-group fields `labels` or `query_offset`: promtool
 * 2.42 rejects them ("field labels not found in type rulefmt.RuleGroup").
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import type { RuleGroup } from '../../src/observability/types';

/** One input series of a promtool unit test, such as `{ series: 'up{job="x"}', values: '1+0x60' }`. */
export interface PromtoolSeries {
  readonly series: string;
  /** promtool expanding notation: `1+0x60`, `_ 1 1`, `0x90`, `stale`. */
  readonly values: string;
}

/** One expected alert at one evaluation time. */
export interface PromtoolAlertTest {
  /** Such as `15m`. */
  readonly eval_time: string;
  readonly alertname: string;
  /** Every firing alert of that name at that time, with ALL its labels; empty = must not fire. */
  readonly exp_alerts: ReadonlyArray<{
    readonly exp_labels?: Readonly<Record<string, string>>;
    readonly exp_annotations?: Readonly<Record<string, string>>;
  }>;
}

/** One expected PromQL result at one evaluation time. */
export interface PromtoolExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: ReadonlyArray<{ readonly labels?: string; readonly value: number }>;
}

/** One `tests[]` entry of a promtool test file. */
export interface PromtoolTestCase {
  /** A short description, printed by promtool on failure (as a YAML comment it would be lost, so it is a field). */
  readonly name?: string;
  /** Scrape interval of the input series. @default '1m' */
  readonly interval?: string;
  readonly input_series: readonly PromtoolSeries[];
  readonly alert_rule_test?: readonly PromtoolAlertTest[];
  readonly promql_expr_test?: readonly PromtoolExprTest[];
  readonly external_labels?: Readonly<Record<string, string>>;
}

/** The result of a successful promtool run. */
export interface PromtoolResult {
  /** promtool's combined stdout and stderr, such as `SUCCESS: 4 rules found`. */
  readonly output: string;
}

/** The promtool binary, or a failure that names the Debian package to install. */
export function promtoolBinary(): string {
  const candidates = [process.env.PROMTOOL, '/usr/bin/promtool', '/usr/local/bin/promtool'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error(
    'promtool not found: install Debian\'s "prometheus" package (apt-get install -y --no-install-recommends prometheus) '
    + 'or set PROMTOOL to the binary.',
  );
}

/** The YAML promtool reads for `groups`: drops undefined fields so that no empty `interval:` is written. */
export function ruleFileYaml(groups: readonly RuleGroup[]): string {
  return YAML.stringify(JSON.parse(JSON.stringify({ groups })), { lineWidth: 0 });
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memguard-promtool-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: string[], cwd: string, what: string, files: Record<string, string>): PromtoolResult {
  const result = spawnSync(promtoolBinary(), args, { cwd, encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.error) throw new Error(`promtool ${what} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const shown = Object.entries(files).map(([name, text]) => `--- ${name} ---\n${text}`).join('\n');
    throw new Error(`promtool ${what} failed (exit ${result.status}):\n${output}\n${shown}`);
  }
  return { output };
}

/**
 * `promtool check rules --lint=all --lint-fatal` on the groups (lints such as duplicate rules fail too).
 * Throws with promtool's output and the rule file on failure.
 */
export function checkRules(groups: readonly RuleGroup[]): PromtoolResult {
  return withTempDir((dir) => {
    const text = ruleFileYaml(groups);
    fs.writeFileSync(path.join(dir, 'rules.yaml'), text);
    return run(['check', 'rules', '--lint=all', '--lint-fatal', 'rules.yaml'], dir, 'check rules', { 'rules.yaml': text });
  });
}

/**
 * `promtool test rules` on a generated test file that loads the groups (`rule_files`, `evaluation_interval: 1m`,
 * `tests`). Throws with promtool's output, the rule file and the test file on failure.
 */
export function testRules(groups: readonly RuleGroup[], tests: readonly PromtoolTestCase[], evaluationInterval = '1m'): PromtoolResult {
  return withTempDir((dir) => {
    const rules = ruleFileYaml(groups);
    const testFile = YAML.stringify(JSON.parse(JSON.stringify({
      rule_files: ['rules.yaml'],
      evaluation_interval: evaluationInterval,
      tests: tests.map(({ name, ...rest }) => ({ ...rest, interval: rest.interval ?? '1m', ...(name ? { name } : {}) })),
    })), { lineWidth: 0 });
    fs.writeFileSync(path.join(dir, 'rules.yaml'), rules);
    fs.writeFileSync(path.join(dir, 'tests.yaml'), testFile);
    return run(['test', 'rules', 'tests.yaml'], dir, 'test rules', { 'rules.yaml': rules, 'tests.yaml': testFile });
  });
}

/**
 * Syntax-checks PromQL expressions (for example dashboard panel queries) by wrapping each as a recording rule and
 * running `promtool check rules`. Grafana variables must already be substituted (see `substituteGrafanaVariables`).
 */
export function checkExpressions(exprs: readonly string[]): PromtoolResult {
  const rules = exprs.map((expr, i) => ({ record: `memguard:expression_check:${i}`, expr }));
  return checkRules([{ name: 'memguard-expression-check', rules }]);
}

/** Replaces Grafana's `$__rate_interval`, `$__interval`, `$__range` and `$var` / `${var}` so that promtool can parse. */
export function substituteGrafanaVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => values[(a ?? b) as string] ?? '.*');
}
