// The framework-free entry point: sizing calculators and observability data. Loads neither cdk8s nor Pulumi.
export * from './sizing/errors';
export * from './sizing/quantity';
export * from './sizing/container-memory';
export * from './sizing/guardrails';
export * from './sizing/runtime-settings';
export * from './sizing/limit-policy';
export * from './sizing/namespace-budget';
export * from './observability/types';
export * from './observability/queries';
export * from './observability/workload-signals';
export * from './observability/config';
export * from './observability/rules';
export * from './observability/escalation';
export * from './observability/dashboards';
export * from './sizing/redis';
export * from './observability/redis';
export * from './sizing/swap';
export { postgresSettings, toPostgresqlConf, toJson as postgresSettingsJson, POSTGRES_VERSIONS, POSTGRES_DB_TYPES, POSTGRES_STORAGE_TYPES, POSTGRES_OS_TYPES, POSTGRES_DB_SIZES, POSTGRES_PROFILES, type PostgresInput, type PostgresSettings, type PostgresSetting, type PostgresMemoryBudget, type PostgresVersion, type PostgresDbType, type PostgresStorage, type PostgresOs, type PostgresDbSize, type PostgresProfile } from './sizing/postgres';
export * from './sizing/incident-mode';
export * from './remediation/config';
export {
  REMEDIATION_ACTIONS, LAST_REMEDIATION_ANNOTATION, RESTARTED_AT_ANNOTATION, incidentReport, issueTitle,
  type RemediationActionName, type RemediationConfig, type IncidentFacts, type ActionRecord, type ContainerSample,
  type NotApplicableAction, type WorkloadRef, type GithubEscalationConfig, type WebhookEscalationConfig,
} from './remediation/decide';
export * from './sizing/odoo';
export * from './sizing/pgbouncer';
export * from './sizing/stack';
