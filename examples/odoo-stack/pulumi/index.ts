/**
 * The example as a Pulumi program, from the same props as the cdk8s app: `pulumi up` in this folder (with a kubeconfig
 * for the target cluster) applies it. Tested under Pulumi's mocks in test/examples/odoo-stack.test.ts.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { MemoryGuard } from '../../../src/pulumi/memory-guard';
import { memoryLimitPolicy } from '../../../src/pulumi/memory-limit-policy';
import { namespaceGuardrails } from '../../../src/sizing/guardrails';
import { CONNECTORS_BUDGET, connectorsProps, LEGACY_EXPORT_CRONJOB } from '../connectors';
import { odooStackProps } from '../props';

// Every workload of the program gets memory limits, also those written without them (the legacy CronJob below):
// the same policy and default as the cdk8s app's MemoryGuard applies to its chart.
pulumi.runtime.registerStackTransformation(memoryLimitPolicy({
  defaultLimit: namespaceGuardrails({ memoryBudget: CONNECTORS_BUDGET }).defaultMemoryLimit,
}));

const odoo = new MemoryGuard('odoo-stack', odooStackProps());
const connectors = new MemoryGuard('odoo-connectors', connectorsProps());
new k8s.batch.v1.CronJob('nightly-export', LEGACY_EXPORT_CRONJOB, { dependsOn: connectors });

/** What the stack exports: the objects memguard manages. */
export const objects = [...odoo.manifests, ...connectors.manifests].map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
