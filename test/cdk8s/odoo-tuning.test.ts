import { spawnSync } from 'child_process';
import { App, Chart } from 'cdk8s';
import { ODOO_EPHEMERAL_FILESTORE_WARNING, OdooTuning, OdooTuningProps } from '../../src/cdk8s/odoo-tuning';
import { Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

function synth(props: OdooTuningProps): { objects: any[]; odoo: OdooTuning } {
  const chart = new Chart(new App(), 'demo', { namespace: 'shop' });
  const odoo = new OdooTuning(chart, 'odoo', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, odoo };
}

const WORKLOAD = { passwordSecret: { secretName: 'odoo-db' } };

describe('OdooTuning', () => {
  test('GIVEN a 4064Mi limit and 4 CPUs WHEN synthesized without workload THEN only the ConfigMap, with exact values', () => {
    const { objects, odoo } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, conf: { dbHost: 'pgbouncer', dbPort: 6432 } });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap']);
    expect(odoo.settings.workers).toBe(9);
    expect(odoo.worstCaseConnections).toBe(176);
    const conf: string = objects[0].data['odoo.conf'];
    expect(conf.split('\n').filter((l) => !l.startsWith(';'))).toEqual([
      '[options]', 'db_host = pgbouncer', 'db_port = 6432', 'data_dir = /var/lib/odoo', 'proxy_mode = True', 'workers = 9',
      'max_cron_threads = 1', 'limit_memory_soft = 629145600', 'limit_memory_hard = 1702887424', 'limit_time_cpu = 600',
      'limit_time_real = 1200', 'limit_request = 8192', 'db_maxconn = 16', 'list_db = False', '',
    ]);
    // No workload, so no filestore warning: only the sizing's own (the 600 MiB soft floor at this limit).
    expect(odoo.warnings).toEqual(odoo.settings.warnings);
    expect(odoo.warnings).toHaveLength(1);
  });

  test('GIVEN conf.dbName "odoo" WHEN synthesized THEN odoo.conf pins db_name and dbfilter and keeps the manager off', () => {
    const { objects } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, conf: { dbHost: 'pgbouncer', dbUser: 'odoo', dbName: 'odoo' } });
    expect(objects[0].data['odoo.conf']).toMatch(/\ndb_maxconn = 16\ndb_name = odoo\ndbfilter = \^odoo\$\nlist_db = False\n$/);
  });

  test('GIVEN the ConfigMap WHEN Python\'s configparser reads it THEN [options] holds integers, the database and list_db off', () => {
    const { odoo } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, conf: { dbName: 'odoo' } });
    const python = spawnSync('python3', ['-c', [
      'import configparser, json, sys',
      'p = configparser.RawConfigParser()',
      'p.read_string(sys.stdin.read())',
      'o = lambda k: p.get("options", k)',
      'print(json.dumps({"sections": p.sections(), "soft": int(o("limit_memory_soft")), "workers": int(o("workers")),',
      '  "db_name": o("db_name"), "dbfilter": o("dbfilter"), "list_db": p.getboolean("options", "list_db")}))',
    ].join('\n')], { input: odoo.odooConf, encoding: 'utf8' });
    if (python.error) throw new Error(`python3 is missing: install the Debian package "python3" (${python.error.message})`);
    expect(python.stderr).toBe('');
    expect(JSON.parse(python.stdout)).toEqual({ sections: ['options'], soft: 629145600, workers: 9, db_name: 'odoo', dbfilter: '^odoo$', list_db: false });
  });

  test('GIVEN a workload WHEN synthesized THEN a restricted Deployment with request == limit, /web/health and the password from a Secret', () => {
    const { objects } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, replicas: 2, workload: WORKLOAD });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expectRestrictedPodSecurity(objects);
    const deployment = objects[1];
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(container.image).toBe('odoo:17.0');
    expect(container.resources).toEqual({ requests: { memory: '4064Mi', cpu: '4' }, limits: { memory: '4064Mi' } });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/web/health', port: 'http' });
    expect(container.env[1]).toEqual({ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'odoo-db', key: 'password' } } });
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsUser: 101, fsGroup: 101 });
  });

  test('GIVEN a workload without dataClaimName WHEN synthesized THEN /var/lib/odoo is an emptyDir and warnings say the filestore is lost', () => {
    const { objects, odoo } = synth({ limit: Memory.parse('8Gi'), cpus: 4, workload: WORKLOAD });
    const volumes = objects[1].spec.template.spec.volumes;
    expect(volumes.find((v: any) => v.name === 'data')).toEqual({ name: 'data', emptyDir: { sizeLimit: '1Gi' } });
    expect(odoo.warnings).toEqual([ODOO_EPHEMERAL_FILESTORE_WARNING]);
    expect(ODOO_EPHEMERAL_FILESTORE_WARNING).toBe('workload.dataClaimName is not set: /var/lib/odoo (the filestore: attachments, images, documents)'
      + ' is an emptyDir and is lost on every pod restart, eviction or rollout; give a ReadWriteMany PVC for production.');
  });

  test('GIVEN a workload with dataClaimName WHEN synthesized THEN /var/lib/odoo is the PVC and no filestore warning', () => {
    const { objects, odoo } = synth({ limit: Memory.parse('8Gi'), cpus: 4, workload: { ...WORKLOAD, dataClaimName: 'odoo-filestore' } });
    const volumes = objects[1].spec.template.spec.volumes;
    expect(volumes.find((v: any) => v.name === 'data')).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'odoo-filestore' } });
    expect(odoo.warnings).toEqual([]);
  });

  test('GIVEN a limit small enough for the 600 MiB soft floor and no PVC WHEN synthesized THEN warnings hold the sizing warning first', () => {
    const { odoo } = synth({ limit: Memory.parse('4064Mi'), cpus: 4, workload: WORKLOAD });
    expect(odoo.warnings).toEqual([...odoo.settings.warnings, ODOO_EPHEMERAL_FILESTORE_WARNING]);
    expect(odoo.settings.warnings).toHaveLength(1);
  });

  test.each([
    [{ limit: Memory.parse('512Mi') }, 'Invalid ram "512Mi": too small for one Odoo worker and 1 cron process(es) next to the master and gevent worker. Accepted: at least 950Mi.'],
    [{ workload: { passwordSecret: { secretName: '' } } }, 'Invalid workload.passwordSecret.secretName "". Accepted: the name of an existing Secret.'],
    [{ workload: { ...WORKLOAD, image: 'odoo' } }, 'Invalid workload.image "odoo": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest.'],
  ])('GIVEN %j THEN InputError with the whole message and nothing emitted', (bad, message) => {
    const chart = new Chart(new App(), 'demo');
    expect(() => new OdooTuning(chart, 'odoo', { limit: Memory.parse('4Gi'), cpus: 4, ...bad })).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});
