/**
 * The shapes every signal producer shares: prometheus-operator rule objects and the panel descriptions the dashboard
 * builder turns into Grafana panels. Pure data, so that alerts and dashboards can be computed without cdk8s or Pulumi.
 */

/** Severity tiers, lowest first. */
export type Severity = 'info' | 'warning' | 'critical';

/** One Prometheus alerting rule, as a PrometheusRule's `spec.groups[].rules[]` holds it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  /** A Prometheus duration such as `5m`; omitted for `0m`. */
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A named group of rules, evaluated together. */
export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval such as `30s`; omitted for the Prometheus default. */
  readonly interval?: string;
  readonly rules: ReadonlyArray<AlertRule | RecordingRule>;
}

/** Units a panel can declare (Grafana unit ids). */
export type PanelUnit = 'bytes' | 'percentunit' | 'percent' | 'short' | 'ops' | 's' | 'none';

/** One PromQL query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  /** Grafana legend template such as `{{pod}}/{{container}}`. */
  readonly legendFormat?: string;
}

/** A panel, described independently of Grafana's JSON model. */
export interface PanelSpec {
  readonly title: string;
  readonly description?: string;
  readonly unit: PanelUnit;
  readonly queries: readonly PanelQuery[];
  /** @default 'timeseries' */
  readonly kind?: 'timeseries' | 'stat' | 'table' | 'bargauge';
  /** Thresholds drawn on the panel, such as the alert's ratio. */
  readonly thresholds?: readonly number[];
}

/** A titled row of panels for one workload or concern. */
export interface PanelSection {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/**
 * Something that exposes its own memory signals (the aws-cdk "constructs expose their own signals" rule): the alert
 * rules and dashboard panels that watch it. A MemoryGuard collects these once for a whole namespace.
 */
export interface MemorySignals {
  /** A short name for the workload, used in group and section titles. */
  readonly signalName: string;
  /** Alert rules for this workload. */
  alertRules(): AlertRule[];
  /** Dashboard panels for this workload. */
  dashboardSection(): PanelSection;
}
