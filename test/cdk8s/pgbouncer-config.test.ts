import { App, Chart } from 'cdk8s';
import { OdooTuning } from '../../src/cdk8s/odoo-tuning';
import { PgBouncerConfig, PgBouncerConfigProps } from '../../src/cdk8s/pgbouncer-config';
import { PostgresTuning } from '../../src/cdk8s/postgres-tuning';
import { pgbouncerSettings, toPgbouncerIni } from '../../src/sizing/pgbouncer';
import { toPostgresqlConf } from '../../src/sizing/postgres';
import { Memory } from '../../src/sizing/quantity';
import { sizeStack } from '../../src/sizing/stack';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

const ODOO = { workers: 9, maxCronThreads: 1, dbMaxconn: 16 };
const PROPS: PgBouncerConfigProps = { odoo: ODOO, maxConnections: 45, upstreamHost: 'postgres', authSecret: { secretName: 'pgbouncer-auth' } };

function synth(props: PgBouncerConfigProps): { objects: any[]; pgbouncer: PgBouncerConfig } {
  const chart = new Chart(new App(), 'demo', { namespace: 'shop' });
  const pgbouncer = new PgBouncerConfig(chart, 'pgbouncer', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, pgbouncer };
}

describe('PgBouncerConfig', () => {
  test('GIVEN Odoo with 9 workers and max_connections 45 WHEN synthesized THEN a valid, restricted ConfigMap, Deployment and Service', () => {
    const { objects, pgbouncer } = synth(PROPS);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expectRestrictedPodSecurity(objects);
    expect(pgbouncer.settings.serverConnections).toBe(40);
    expect(pgbouncer.port).toBe(6432);
    expect(pgbouncer.serviceName).toMatch(/^demo-pgbouncer-service-/);
  });

  test('GIVEN the same inputs WHEN synthesized THEN the ConfigMap holds exactly toPgbouncerIni, with the auth file from the Secret', () => {
    const { objects } = synth(PROPS);
    const expected = toPgbouncerIni(pgbouncerSettings({ odoo: ODOO, maxConnections: 45 }), {
      databases: ['odoo'], upstreamHost: 'postgres', listenAddress: '0.0.0.0', authFile: '/etc/pgbouncer-auth/userlist.txt', unixSocketDir: '',
    });
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    expect(configMap.data).toEqual({ 'pgbouncer.ini': expected });
    expect(expected).toContain('default_pool_size = 22\nreserve_pool_size = 5\nmax_db_connections = 27\nmax_client_conn = 186\n');
    expect(expected).toContain('auth_file = /etc/pgbouncer-auth/userlist.txt\n');
  });

  test('GIVEN defaults WHEN synthesized THEN a pinned image runs pgbouncer directly, 64Mi request == limit, non-root uid 70', () => {
    const { objects } = synth(PROPS);
    const pod = objects.find((o) => o.kind === 'Deployment').spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('edoburu/pgbouncer:v1.23.1-p2');
    expect(container.command).toEqual(['/usr/bin/pgbouncer', '/etc/pgbouncer/pgbouncer.ini']);
    expect(container.resources).toEqual({ requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '64Mi' } });
    expect(pod.securityContext).toMatchObject({ runAsUser: 70, runAsNonRoot: true });
    expect(pod.volumes[1]).toEqual({ name: 'auth', secret: { secretName: 'pgbouncer-auth', items: [{ key: 'userlist.txt', path: 'userlist.txt' }] } });
    expect(JSON.stringify(objects)).not.toMatch(/password\s*=/);
  });

  test.each([
    [{ image: 'edoburu/pgbouncer:latest' }, 'Invalid image "edoburu/pgbouncer:latest": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
    [{ authSecret: { secretName: '' } }, 'Invalid authSecret.secretName "". Accepted: the name of an existing Secret.'],
    [{ memory: Memory.parse('8Mi') }, 'Invalid memory "8Mi". Accepted: at least 16Mi.'],
    [{ replicas: 2 }, 'Invalid replicas 2: 2 pods x 40 server connections exceed the 40 PostgreSQL leaves. Accepted: 1, or a maxConnections of at least 85.'],
  ])('GIVEN %j THEN InputError with the whole message and nothing emitted', (bad, message) => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new PgBouncerConfig(chart, 'pgbouncer', { ...PROPS, ...bad })).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});

describe('the 8 GiB / 4 CPU Odoo stack from the three constructs (the README example)', () => {
  test('GIVEN sizeStack WHEN PostgresTuning, PgBouncerConfig and OdooTuning are built from it THEN valid, restricted and consistent', () => {
    const stack = sizeStack({ ram: Memory.parse('8GiB', 'ram', 'ram'), cpus: 4 });
    const share = (c: string): Memory => stack.split.find((s) => s.component === c)!.memory;
    const chart = new Chart(new App(), 'shop', { namespace: 'shop' });
    const postgres = new PostgresTuning(chart, 'postgres', {
      limit: share('postgres'),
      cpus: 4,
      maxConnections: stack.postgres.maxConnections,
      idleSessionTimeoutMs: 0,
      workload: { passwordSecret: { secretName: 'postgres-superuser' } },
    });
    const pgbouncer = new PgBouncerConfig(chart, 'pgbouncer', {
      odoo: stack.odoo, maxConnections: postgres.maxConnections, upstreamHost: postgres.serviceName!, authSecret: { secretName: 'pgbouncer-userlist' },
    });
    const odoo = new OdooTuning(chart, 'odoo', {
      limit: share('odoo'),
      cpus: 4,
      conf: { dbHost: pgbouncer.serviceName, dbPort: pgbouncer.port, dbUser: 'odoo' },
      workload: { passwordSecret: { secretName: 'odoo-db' } },
    });
    const objects = chart.toJson();
    expectValidManifests(objects);
    expectRestrictedPodSecurity(objects);
    expect(postgres.postgresqlConf).toBe(`${toPostgresqlConf(stack.postgres)}\n# Kubernetes: accept connections on the pod IP (the image's own postgresql.conf is not read).\nlisten_addresses = '*'\n`);
    expect(pgbouncer.settings).toEqual(stack.pgbouncer);
    expect(odoo.settings.options).toEqual(stack.odoo.options);
    const limits = objects.flatMap((o) => o.spec?.template?.spec?.containers ?? []).map((c: any) => c.resources.limits.memory);
    expect(limits).toEqual(['4064Mi', '64Mi', '4064Mi']);
    expect(odoo.odooConf).toContain(`db_host = ${pgbouncer.serviceName}\ndb_port = 6432\n`);
  });
});
