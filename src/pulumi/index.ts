// The Pulumi front end: ComponentResources over the same cdk8s constructs.
export * from '../index';
export * from './chart-component';
export * from './namespace-guardrails';
export * from './memory-tuned-deployment';
export * from './memory-limit-policy';
export * from './memory-alerts';
export * from './memory-dashboard';
export * from './redis-cache';
export * from './node-swap';
export * from './swap-daemon-set';
export * from './memory-remediation';
export * from './postgres-tuning';
export * from './odoo-tuning';
export * from './pgbouncer-config';
export * from './memory-guard';
