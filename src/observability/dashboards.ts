/**
 * The memguard memory dashboard, built with `@grafana/grafana-foundation-sdk` (not hand-written JSON): one small
 * function per panel, each a framework-free `PanelSpec` over the shared queries, rendered with the defaults of
 * `dashboard-common.ts`. Constructs add their own `PanelSection`s (`MemorySignals.dashboardSection()`) as rows.
 */
import { MemoryAlertsConfig, ResolvedMemoryAlertsConfig, resolveMemoryAlertsConfig } from './config';
import { DATASOURCE_VARIABLE, renderPanel, sdk } from './dashboard-common';
import * as q from './queries';
import { ResolvedSelectors, WorkloadScope } from './queries';
import { PanelSection, PanelSpec } from './types';
import { checkNamespaceName, InputError } from '../sizing/errors';

/** What the panel functions need: selectors, the template-variable scope and the alert thresholds to draw. */
export interface PanelContext {
  readonly selectors: ResolvedSelectors;
  /** `namespace=~"$namespace", pod=~"$pod"`. */
  readonly scope: WorkloadScope;
  readonly config: ResolvedMemoryAlertsConfig;
}

/** The scope the template variables select. */
export const VARIABLE_SCOPE: WorkloadScope = { namespaceRegex: '$namespace', podRegex: '$pod' };

function ratioThresholds(tiers: { readonly warning?: { threshold: number }; readonly critical?: { threshold: number } }): number[] {
  return [tiers.warning?.threshold, tiers.critical?.threshold].filter((t): t is number => t !== undefined);
}

/** Working set per container, with its request and limit (kube-state-metrics) as separate series. */
export function memoryByContainerPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Memory by container vs request and limit',
    description: 'Working set (what the kubelet evicts on and the OOM killer acts on) per container, with its request and limit.',
    unit: 'bytes',
    queries: [
      { expr: q.containerWorkingSet(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}} working set' },
      { expr: q.containerMemoryRequest(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}} request' },
      { expr: q.containerMemoryLimit(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}} limit' },
    ],
  };
}

/** Working set as a fraction of the limit, with the ContainerMemoryNearLimit thresholds. */
export function memoryToLimitPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Working set / limit',
    description: 'ContainerMemoryNearLimit fires above the dashed lines. Containers without a limit have no series.',
    unit: 'percentunit',
    queries: [{ expr: q.workingSetToLimitRatio(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}}' }],
    thresholds: ratioThresholds(ctx.config.thresholds.containerMemoryNearLimit),
  };
}

/** RSS and page cache per container: the breakdown of the working set. */
export function memoryBreakdownPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'RSS and page cache by container',
    description: 'RSS is what the OOM killer scores; page cache is reclaimable except for its active part.',
    unit: 'bytes',
    queries: [
      { expr: q.containerRss(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}} rss' },
      { expr: q.containerCache(ctx.selectors, ctx.scope), legendFormat: '{{pod}}/{{container}} cache' },
    ],
  };
}

/** The pods with the largest working set. */
export function topConsumersPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Top memory consumers',
    unit: 'bytes',
    kind: 'bargauge',
    queries: [{ expr: q.topMemoryConsumers(ctx.selectors, ctx.scope, 10), legendFormat: '{{namespace}}/{{pod}}' }],
  };
}

/** OOM-killed container restarts and kernel OOM kills per node. */
export function oomKillsPanel(ctx: PanelContext): PanelSpec {
  const { windows } = ctx.config;
  return {
    title: 'OOM kills',
    description: `Container restarts whose last termination was OOMKilled (last ${windows.oomKill}), and kernel OOM kills per node (last ${windows.nodeOomKill}).`,
    unit: 'short',
    queries: [
      { expr: q.containerOomKilledRestarts(ctx.selectors, ctx.scope, windows.oomKill), legendFormat: '{{namespace}}/{{pod}}/{{container}}' },
      { expr: q.nodeOomKills(ctx.selectors, windows.nodeOomKill), legendFormat: 'node {{instance}}' },
    ],
  };
}

/** Memory used vs total per node. */
export function nodeMemoryPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Memory by node',
    description: 'Used = MemTotal - MemAvailable (MemAvailable counts reclaimable cache as free).',
    unit: 'bytes',
    queries: [
      { expr: q.nodeMemoryUsed(ctx.selectors), legendFormat: '{{instance}} used' },
      { expr: q.nodeMemoryTotal(ctx.selectors), legendFormat: '{{instance}} total' },
    ],
  };
}

/** Node memory utilisation with the NodeMemoryHigh thresholds. */
export function nodeUtilisationPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Node memory utilisation',
    unit: 'percentunit',
    queries: [{ expr: q.nodeMemoryUtilisation(ctx.selectors), legendFormat: '{{instance}}' }],
    thresholds: ratioThresholds(ctx.config.thresholds.nodeMemoryHigh),
  };
}

/** Swap in use (nodes with swap only) and swap activity. */
export function swapPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Swap used',
    description: 'Only nodes with swap have a series. Swap activity (pages in + out per second) shows thrashing better than swap used.',
    unit: 'percentunit',
    queries: [{ expr: q.nodeSwapUtilisation(ctx.selectors), legendFormat: '{{instance}}' }],
    thresholds: ctx.config.thresholds.nodeSwapFillingUp.warning ? [ctx.config.thresholds.nodeSwapFillingUp.warning.threshold] : [],
  };
}

/** Pages swapped in and out per second. */
export function swapActivityPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Swap activity',
    unit: 'ops',
    queries: [{ expr: q.nodeSwapActivity(ctx.selectors, ctx.config.windows.rate), legendFormat: '{{instance}}' }],
  };
}

/** Pressure stall information: node "some" and "full", and per container. */
export function pressurePanel(ctx: PanelContext): PanelSpec {
  const w = ctx.config.windows.rate;
  return {
    title: 'Memory pressure (PSI)',
    description: 'Fraction of time tasks waited on memory. Needs cgroup v2; container PSI needs Kubernetes 1.34 (KubeletPSI). All-zero means unknown.',
    unit: 'percentunit',
    queries: [
      { expr: q.nodeMemoryPressureWaiting(ctx.selectors, w), legendFormat: '{{instance}} some' },
      { expr: q.nodeMemoryPressureStalled(ctx.selectors, w), legendFormat: '{{instance}} full' },
      { expr: q.containerMemoryPressure(ctx.selectors, ctx.scope, w), legendFormat: '{{pod}}/{{container}} some' },
    ],
    thresholds: ctx.config.thresholds.nodeMemoryPressure.warning ? [ctx.config.thresholds.nodeMemoryPressure.warning.threshold] : [],
  };
}

/** Major page faults per second per node. */
export function majorPageFaultsPanel(ctx: PanelContext): PanelSpec {
  return {
    title: 'Major page faults',
    unit: 'ops',
    queries: [{ expr: q.nodeMajorPageFaults(ctx.selectors, ctx.config.windows.rate), legendFormat: '{{instance}}' }],
    thresholds: ctx.config.thresholds.nodeMemoryMajorPageFaults.warning ? [ctx.config.thresholds.nodeMemoryMajorPageFaults.warning.threshold] : [],
  };
}

/** The built-in sections of the dashboard. */
export function coreSections(ctx: PanelContext): PanelSection[] {
  return [
    { title: 'Containers', panels: [memoryByContainerPanel(ctx), memoryToLimitPanel(ctx), memoryBreakdownPanel(ctx), topConsumersPanel(ctx)] },
    { title: 'OOM kills', panels: [oomKillsPanel(ctx)] },
    { title: 'Nodes', panels: [nodeMemoryPanel(ctx), nodeUtilisationPanel(ctx), pressurePanel(ctx), majorPageFaultsPanel(ctx)] },
    { title: 'Swap', panels: [swapPanel(ctx), swapActivityPanel(ctx)] },
  ];
}

/** Options of `memoryDashboard`. */
export interface MemoryDashboardOptions {
  /** @default 'Kubernetes / Memory (memguard)' */
  readonly title?: string;
  /**
   * Stable dashboard uid (letters, digits, `-`, `_`; at most 40 characters, Grafana's limit), so links and the
   * grafana-operator keep working across deploys.
   * @default 'memguard-memory'
   */
  readonly uid?: string;
  /** @default ['memguard', 'memory'] */
  readonly tags?: readonly string[];
  /**
   * The namespace the `namespace` variable selects when the dashboard opens (a namespace's own dashboard opens on it).
   * @default - All
   */
  readonly defaultNamespace?: string;
  /** Extra rows, such as workloads' `dashboardSection()`s, after the built-in ones. @default [] */
  readonly sections?: readonly PanelSection[];
  /** The alerts configuration: selectors and the thresholds drawn on panels. @default - memguard's defaults */
  readonly alerts?: MemoryAlertsConfig;
}

/** A Grafana dashboard in its JSON model (what the sidecar and grafana-operator load). */
export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels?: readonly Record<string, unknown>[];
  readonly [field: string]: unknown;
}

const UID = /^[a-zA-Z0-9_-]{1,40}$/;

/** Validates the options; throws InputError. */
export function validateDashboardOptions(options: MemoryDashboardOptions): void {
  if (options.uid !== undefined && !UID.test(options.uid)) {
    throw new InputError({ field: 'uid', value: options.uid, accepted: '1 to 40 letters, digits, "-" or "_"' });
  }
  if (options.title !== undefined && options.title.trim() === '') {
    throw new InputError({ field: 'title', value: options.title, accepted: 'a non-empty title' });
  }
  if (options.defaultNamespace !== undefined) checkNamespaceName('defaultNamespace', options.defaultNamespace);
  (options.sections ?? []).forEach((section, i) => {
    if (section.panels.length === 0) {
      throw new InputError({ field: `sections[${i}].panels`, value: [], reason: `section "${section.title}" has no panels`, accepted: 'one or more panels' });
    }
    section.panels.forEach((panel, j) => {
      if (panel.queries.length === 0 || panel.queries.length > 26) {
        throw new InputError({ field: `sections[${i}].panels[${j}].queries`, value: panel.queries.length, reason: `panel "${panel.title}"`, accepted: '1 to 26 queries' });
      }
    });
  });
}

/** Every section the dashboard shows, core first: the single list both rendering and tests walk. */
export function dashboardSections(options: MemoryDashboardOptions = {}): PanelSection[] {
  validateDashboardOptions(options);
  const config = resolveMemoryAlertsConfig(options.alerts);
  const ctx: PanelContext = { selectors: config.selectors, scope: VARIABLE_SCOPE, config };
  return [...coreSections(ctx), ...(options.sections ?? [])];
}

/** The memguard memory dashboard as Grafana JSON. Deterministic: the same options give the same JSON. */
export function memoryDashboard(options: MemoryDashboardOptions = {}): DashboardJson {
  return JSON.parse(memoryDashboardText(options)) as DashboardJson;
}

/**
 * The dashboard as the JSON text a ConfigMap or GrafanaDashboard carries: what `memoryDashboard` parses, without
 * building the object only to serialize it again.
 */
export function memoryDashboardText(options: MemoryDashboardOptions = {}): string {
  const sections = dashboardSections(options);
  const config = resolveMemoryAlertsConfig(options.alerts);
  const { dashboard } = sdk;
  const ksm = config.selectors.kubeStateMetrics;
  const builder = new dashboard.DashboardBuilder(options.title ?? 'Kubernetes / Memory (memguard)')
    .uid(options.uid ?? 'memguard-memory')
    .tags([...(options.tags ?? ['memguard', 'memory'])])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withVariable(new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus'))
    .withVariable(namespaceVariable(options.defaultNamespace, ksm))
    .withVariable(new dashboard.QueryVariableBuilder('pod')
      .label('Pod')
      .datasource({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` })
      .query(`label_values(kube_pod_info{${ksm}, namespace=~"$namespace"}, pod)`)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true).includeAll(true).allValue('.*'));
  let id = 1;
  for (const section of sections) {
    builder.withRow(new dashboard.RowBuilder(section.title).id(id++));
    for (const panel of section.panels) builder.withPanel(renderPanel(panel, id++));
  }
  return asLatin1String(JSON.stringify(builder.build()));
}

/**
 * The same text, stored one byte per character when every character allows it.
 *
 * V8 stores a string with two bytes per character when it was built from one so stored, and the object names cdk8s
 * generates can come out of its name handling that way. JSON.stringify then returns the whole dashboard, tens of
 * kilobytes, in two-byte form: twice the memory, and every regular expression the YAML writer runs over it several times
 * slower (the guard benchmark's dashboards took twice as long to write). Re-decoding it as Latin-1 gives the compact
 * form.
 */
function asLatin1String(text: string): string {
  return NOT_LATIN1.test(text) ? text : Buffer.from(text, 'latin1').toString('latin1');
}

const NOT_LATIN1 = /[^\x00-\xff]/;

/** The `namespace` variable: every namespace kube-state-metrics knows, All unless a default is given. */
function namespaceVariable(defaultNamespace: string | undefined, kubeStateMetrics: string) {
  const variable = new sdk.dashboard.QueryVariableBuilder('namespace')
    .label('Namespace')
    .datasource({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` })
    .query(`label_values(kube_pod_info{${kubeStateMetrics}}, namespace)`)
    .refresh(sdk.dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(sdk.dashboard.VariableSort.AlphabeticalAsc)
    .multi(true).includeAll(true).allValue('.*');
  return defaultNamespace === undefined ? variable : variable.current({ selected: true, text: [defaultNamespace], value: [defaultNamespace] });
}

/** Every PromQL expression of the dashboard (panels and variables), for syntax checks. */
export function dashboardExpressions(options: MemoryDashboardOptions = {}): string[] {
  return dashboardSections(options).flatMap((s) => s.panels.flatMap((p) => p.queries.map((query) => query.expr)));
}
