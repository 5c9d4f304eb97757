import { OdooTuning } from '../../src/cdk8s/odoo-tuning';
import { PgBouncerConfig } from '../../src/cdk8s/pgbouncer-config';
import { PostgresTuning } from '../../src/cdk8s/postgres-tuning';
import { Memory } from '../../src/sizing/quantity';
import { expectValidManifests } from '../helpers/manifests';
import { expectRegisteredLikeCdk8s, installPulumiMocks, PulumiMocks, settle } from '../helpers/pulumi';

let mocks: PulumiMocks;
let pg: typeof import('../../src/pulumi/postgres-tuning');
let odoo: typeof import('../../src/pulumi/odoo-tuning');
let bouncer: typeof import('../../src/pulumi/pgbouncer-config');

beforeAll(async () => {
  mocks = await installPulumiMocks();
  pg = await import('../../src/pulumi/postgres-tuning');
  odoo = await import('../../src/pulumi/odoo-tuning');
  bouncer = await import('../../src/pulumi/pgbouncer-config');
});
beforeEach(() => mocks.reset());

describe('Pulumi PostgresTuning, OdooTuning and PgBouncerConfig', () => {
  test('GIVEN a PostgresTuning with a workload WHEN registered THEN ConfigMap, Service and StatefulSet inputs equal the cdk8s synth', async () => {
    const props = { namespace: 'shop', limit: Memory.parse('4064Mi'), cpus: 4, maxConnections: 45, workload: { passwordSecret: { secretName: 'pg' } } };
    const component = new pg.PostgresTuning('db', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'db', (chart) => new PostgresTuning(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:StatefulSet', 'kubernetes:core/v1:ConfigMap', 'kubernetes:core/v1:Service', 'memguard:index:PostgresTuning',
    ]);
    expect(component.maxConnections).toBe(45);
  });

  test('GIVEN an OdooTuning with a workload WHEN registered THEN the inputs equal the cdk8s synth', async () => {
    const props = { namespace: 'shop', limit: Memory.parse('4064Mi'), cpus: 4, workload: { passwordSecret: { secretName: 'odoo-db' } } };
    const component = new odoo.OdooTuning('erp', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'erp', (chart) => new OdooTuning(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment', 'kubernetes:core/v1:ConfigMap', 'kubernetes:core/v1:Service', 'memguard:index:OdooTuning',
    ]);
    expect(component.worstCaseConnections).toBe(176);
  });

  test('GIVEN a PgBouncerConfig WHEN registered THEN the inputs equal the cdk8s synth', async () => {
    const props = {
      namespace: 'shop', odoo: { workers: 9, maxCronThreads: 1, dbMaxconn: 16 }, maxConnections: 45, upstreamHost: 'db', authSecret: { secretName: 'auth' },
    };
    const component = new bouncer.PgBouncerConfig('pool', props);
    await settle();
    const expected = expectRegisteredLikeCdk8s(mocks, 'pool', (chart) => new PgBouncerConfig(chart, 'Resource', props));
    expectValidManifests(expected);
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment', 'kubernetes:core/v1:ConfigMap', 'kubernetes:core/v1:Service', 'memguard:index:PgBouncerConfig',
    ]);
    expect(component.serverConnections).toBe(40);
  });
});
