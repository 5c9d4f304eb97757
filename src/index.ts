// The framework-free entry point: sizing calculators and observability data. Loads neither cdk8s nor Pulumi.
export * from './sizing/errors';
export * from './sizing/quantity';
export * from './sizing/container-memory';
export * from './sizing/guardrails';
export * from './sizing/runtime-settings';
export * from './sizing/limit-policy';
export * from './observability/types';
export * from './observability/queries';
