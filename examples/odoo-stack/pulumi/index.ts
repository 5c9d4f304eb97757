/**
 * The example stack as a Pulumi program, from the same props as the cdk8s app: `pulumi up` in this folder (with a
 * kubeconfig for the target cluster) applies it. Tested under Pulumi's mocks in test/examples/odoo-stack.test.ts.
 */
import { MemoryGuard } from '../../../src/pulumi/memory-guard';
import { odooStackProps } from '../props';

const guard = new MemoryGuard('odoo-stack', odooStackProps());

/** What the stack exports: the objects it manages. */
export const objects = guard.manifests.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
