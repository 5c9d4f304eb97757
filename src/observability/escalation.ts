/**
 * Escalation by elapsed time, as code. Alertmanager cannot escalate by time, so the time lives in the rules: per tier,
 * a copy of the escalated rule (same alert name, expression and severity) with `for` = the tier's delay and the label
 * `escalation: "<level>"`. Alertmanager then only routes: each level to its receiver (an AlertmanagerConfig, below).
 */
import { ResolvedEscalationPolicy, ResolvedMemoryAlertsConfig } from './config';
import { AlertRule } from './types';

/** The label that carries the escalation level (`"1"`, `"2"`, ...). Base rules never carry it. */
export const ESCALATION_LABEL = 'escalation';

/**
 * The escalation rules for `baseRules`: for each alert the policy escalates, the base rule of the policy's severity is
 * copied once per tier. Returns `[]` when escalation is off or the escalated tier is switched off.
 */
export function escalationRules(config: ResolvedMemoryAlertsConfig, baseRules: readonly AlertRule[]): AlertRule[] {
  const policy = config.escalation;
  if (!policy) return [];
  const rules: AlertRule[] = [];
  for (const alert of policy.alerts) {
    const base = baseRules.find((r) => r.alert === alert && r.labels.severity === policy.severity);
    if (!base) continue;
    policy.tiers.forEach((tier, i) => {
      const level = String(i + 1);
      rules.push({
        alert: base.alert,
        expr: base.expr,
        for: tier.after,
        labels: { ...base.labels, [ESCALATION_LABEL]: level },
        annotations: {
          ...base.annotations,
          description: `${base.annotations.description} Unresolved for ${tier.after}: escalated to level ${level} (${tier.receiver}).`,
        },
      });
    });
  }
  return rules;
}

/** An Alertmanager receiver as the AlertmanagerConfig CRD spells it (`name` plus any `*Configs`). */
export interface AlertmanagerReceiver {
  readonly name: string;
  readonly [config: string]: unknown;
}

/** Options of `alertmanagerConfigSpec`. */
export interface AlertmanagerConfigOptions {
  /**
   * Receiver definitions (for example `{ name: 'infra-team', pagerdutyConfigs: [{ routingKey: { name, key } }] }`,
   * secrets referenced by name and key). Receivers the policy names but this list lacks are emitted with a name only
   * (they receive nothing until configured).
   * @default []
   */
  readonly receivers?: readonly AlertmanagerReceiver[];
  /** @default ['alertname', 'namespace'] */
  readonly groupBy?: readonly string[];
  /** How often a firing escalation or page is re-sent. @default '1h' */
  readonly pageRepeatInterval?: string;
  /** How often other memguard alerts are re-sent. @default '12h' */
  readonly repeatInterval?: string;
}

/** A matcher of the AlertmanagerConfig CRD. */
export interface AlertmanagerMatcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: '=' | '!=' | '=~' | '!~';
}

/** A route of the AlertmanagerConfig CRD (the subset memguard emits). */
export interface AlertmanagerRoute {
  readonly receiver: string;
  readonly matchers?: readonly AlertmanagerMatcher[];
  readonly groupBy?: readonly string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly AlertmanagerRoute[];
}

/** The spec of an AlertmanagerConfig (monitoring.coreos.com/v1alpha1). */
export interface AlertmanagerConfigSpec {
  readonly route: AlertmanagerRoute;
  readonly receivers: readonly AlertmanagerReceiver[];
}

/**
 * The AlertmanagerConfig spec that routes the policy: OOM alerts to the page receiver at once, each escalation level
 * to its tier's receiver, everything else to the default receiver.
 *
 * Caveat: prometheus-operator adds a `namespace="<the AlertmanagerConfig's namespace>"` matcher to every route
 * (`alertmanagerConfigMatcherStrategy: OnNamespace`, the default), so only alerts that carry that namespace label are
 * routed. Container alerts carry the pod's namespace; node alerts (NodeMemoryHigh, NodeOOMKillDetected, ...) carry no
 * namespace and are never routed by it. Either set the Alertmanager's `alertmanagerConfigMatcherStrategy.type` to
 * `None` (or `OnNamespaceExceptForAlertmanagerNamespace`, operator >= 0.84, and put this object in the Alertmanager's
 * namespace), or route node alerts in the global Alertmanager configuration.
 */
export function alertmanagerConfigSpec(policy: ResolvedEscalationPolicy, options: AlertmanagerConfigOptions = {}): AlertmanagerConfigSpec {
  const pageRepeat = options.pageRepeatInterval ?? '1h';
  const routes: AlertmanagerRoute[] = [];
  if (policy.pageAtOnce.length > 0) {
    routes.push({
      receiver: policy.pageReceiver,
      matchers: [{ name: 'alertname', value: policy.pageAtOnce.join('|'), matchType: '=~' }],
      groupWait: '0s',
      repeatInterval: pageRepeat,
    });
  }
  policy.tiers.forEach((tier, i) => {
    routes.push({
      receiver: tier.receiver,
      matchers: [{ name: ESCALATION_LABEL, value: String(i + 1), matchType: '=' }],
      groupWait: '0s',
      repeatInterval: pageRepeat,
    });
  });
  const names = [policy.defaultReceiver, policy.pageReceiver, ...policy.tiers.map((t) => t.receiver)];
  const given = options.receivers ?? [];
  const receivers: AlertmanagerReceiver[] = [...new Set([...names, ...given.map((r) => r.name)])]
    .map((name) => given.find((r) => r.name === name) ?? { name });
  return {
    route: {
      receiver: policy.defaultReceiver,
      groupBy: [...(options.groupBy ?? ['alertname', 'namespace'])],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: options.repeatInterval ?? '12h',
      routes,
    },
    receivers,
  };
}
