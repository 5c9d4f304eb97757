import { App, Chart } from 'cdk8s';
import { PostgresTuning, PostgresTuningProps } from '../../src/cdk8s/postgres-tuning';
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
  ])('GIVEN %j THEN InputError with the whole message and nothing emitted', (bad, message) => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new PostgresTuning(chart, 'postgres', { limit: Memory.parse('4Gi'), cpus: 4, ...bad })).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});
