// The cdk8s front end (cdk8s-plus-28, Kubernetes 1.28). Loads no Pulumi code.
export * from '../index';
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
export { checkPinnedImage, hardenedContainer } from './workload-parts';
export * from './memory-guard';
