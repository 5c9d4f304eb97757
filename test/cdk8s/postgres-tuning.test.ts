import * as fs from 'fs';
import { App, Chart } from 'cdk8s';
import { POSTGRES_INIT_ROLE_SCRIPT_PATH, PostgresTuning, PostgresTuningProps } from '../../src/cdk8s/postgres-tuning';
import { postgresSettings, toPostgresqlConf } from '../../src/sizing/postgres';
import { Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

function synth(props: PostgresTuningProps): { objects: any[]; postgres: PostgresTuning } {
  const chart = new Chart(new App(), 'demo', { namespace: 'shop' });
  const postgres = new PostgresTuning(chart, 'postgres', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, postgres };
}

const WORKLOAD = { passwordSecret: { secretName: 'postgres-superuser' } };
const ROLE = { name: 'odoo', database: 'odoo', passwordSecret: { secretName: 'odoo-db' } };

describe('PostgresTuning', () => {
  test('GIVEN a 4064Mi limit WHEN synthesized without workload THEN the ConfigMap holds the container profile plus listen_addresses', () => {
    const { objects, postgres } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, maxConnections: 45 });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap']);
    const expected = postgresSettings({ ram: Memory.parse('4064Mi'), cpus: 4, maxConnections: 45, profile: 'container' });
    expect(postgres.maxConnections).toBe(45);
    expect(objects[0].data['postgresql.conf']).toBe(`${toPostgresqlConf(expected)}\n# Kubernetes: accept connections on the pod IP (the image's own postgresql.conf is not read).\nlisten_addresses = '*'\n`);
    expect(objects[0].data['postgresql.conf']).toContain('max_connections = 45\nshared_buffers = 1016MB\n');
  });

  test('GIVEN a workload WHEN synthesized THEN a restricted StatefulSet: postgres:16.4, uid 999, limit = request, /dev/shm in memory', () => {
    const { objects, postgres } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, workload: WORKLOAD });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Service', 'StatefulSet']);
    expectRestrictedPodSecurity(objects);
    const sts = objects[2];
    const pod = sts.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe('postgres:16.4');
    expect(container.args).toEqual(['-c', 'config_file=/etc/postgresql/memguard/postgresql.conf']);
    expect(container.resources).toEqual({ requests: { memory: '4064Mi', cpu: '4' }, limits: { memory: '4064Mi' } });
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    const dshm = pod.volumes.find((v: any) => v.name === 'dshm');
    expect(dshm.emptyDir.medium).toBe('Memory');
    expect(dshm.emptyDir.sizeLimit).toBe(postgres.devShm.toString());
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(objects[1].spec.clusterIP).toBe('None');
    expect(sts.spec.serviceName).toBe(postgres.serviceName);
    expect(postgres.initScripts).toBeUndefined();
    expect(container.env.map((e: any) => e.name)).toEqual(['PGDATA', 'POSTGRES_PASSWORD']);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('initdb');
  });

  test('GIVEN applicationRole WHEN synthesized THEN the init script ConfigMap is mounted executable at /docker-entrypoint-initdb.d with the password from the Secret', () => {
    const { objects, postgres } = synth({
      limit: Memory.parse('4Gi'),
      cpus: 2,
      workload: { ...WORKLOAD, applicationRole: { name: 'odoo', database: 'odoo', passwordSecret: { secretName: 'odoo-db' } } },
    });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'ConfigMap', 'Service', 'StatefulSet']);
    expectRestrictedPodSecurity(objects);
    const initScripts = objects.find((o) => o.metadata.name === postgres.initScripts!.name);
    expect(initScripts.data).toEqual({ '10-memguard-application-role.sh': fs.readFileSync(POSTGRES_INIT_ROLE_SCRIPT_PATH, 'utf8') });
    const pod = objects[3].spec.template.spec;
    const container = pod.containers[0];
    expect(container.env).toEqual([
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'password' } } },
      { name: 'MEMGUARD_APP_ROLE', value: 'odoo' },
      { name: 'MEMGUARD_APP_DATABASE', value: 'odoo' },
      { name: 'MEMGUARD_APP_CREATEDB', value: 'false' },
      { name: 'MEMGUARD_APP_PASSWORD', valueFrom: { secretKeyRef: { name: 'odoo-db', key: 'password' } } },
    ]);
    expect(container.volumeMounts).toContainEqual({ name: 'initdb', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'initdb', configMap: { name: initScripts.metadata.name, defaultMode: 0o555 } });
  });

  test('GIVEN applicationRole with createDb and a key WHEN synthesized THEN MEMGUARD_APP_CREATEDB is "true" and the key is used', () => {
    const { objects } = synth({
      limit: Memory.parse('4Gi'),
      cpus: 2,
      workload: { ...WORKLOAD, applicationRole: { name: 'shop', database: 'shop_db', passwordSecret: { secretName: 's', key: 'pw' }, createDb: true } },
    });
    const env = objects[3].spec.template.spec.containers[0].env;
    expect(env.slice(2)).toEqual([
      { name: 'MEMGUARD_APP_ROLE', value: 'shop' },
      { name: 'MEMGUARD_APP_DATABASE', value: 'shop_db' },
      { name: 'MEMGUARD_APP_CREATEDB', value: 'true' },
      { name: 'MEMGUARD_APP_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
    ]);
  });

  test('GIVEN hugepages WHEN synthesized THEN the pod requests them (request == limit)', () => {
    const { objects } = synth({ limit: Memory.parse('4Gi'), cpus: 2, hugePages: Memory.parse('1Gi'), workload: WORKLOAD });
    const container = objects[2].spec.template.spec.containers[0];
    expect(container.resources.limits['hugepages-2Mi']).toBe('1Gi');
    expect(container.resources.requests['hugepages-2Mi']).toBe('1Gi');
  });

  test.each([
    [{ workload: { passwordSecret: { secretName: '' } } }, 'Invalid workload.passwordSecret.secretName "". Accepted: the name of an existing Secret.'],
    [{ workload: { ...WORKLOAD, image: 'postgres' } }, 'Invalid workload.image "postgres": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
    [{ workload: { ...WORKLOAD, applicationRole: { ...ROLE, name: 'a b' } } },
      'Invalid workload.applicationRole.name "a b". Accepted: 1 to 63 letters, digits, "_", "." or "-", not starting with "." or "-".'],
    [{ workload: { ...WORKLOAD, applicationRole: { ...ROLE, name: 'postgres' } } },
      'Invalid workload.applicationRole.name "postgres": that is the superuser the image creates. Accepted: another role name.'],
    [{ workload: { ...WORKLOAD, applicationRole: { ...ROLE, database: 'x'.repeat(64) } } },
      `Invalid workload.applicationRole.database "${'x'.repeat(64)}". Accepted: 1 to 63 letters, digits, "_", "." or "-", not starting with "." or "-".`],
    [{ workload: { ...WORKLOAD, applicationRole: { ...ROLE, database: 'template1' } } },
      'Invalid workload.applicationRole.database "template1": that database belongs to the server. Accepted: another database name.'],
    [{ workload: { ...WORKLOAD, applicationRole: { ...ROLE, passwordSecret: { secretName: '' } } } },
      'Invalid workload.applicationRole.passwordSecret.secretName "". Accepted: the name of an existing Secret.'],
  ])('GIVEN %j THEN InputError with the whole message and nothing emitted', (bad, message) => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new PostgresTuning(chart, 'postgres', { limit: Memory.parse('4Gi'), cpus: 4, ...bad })).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});
