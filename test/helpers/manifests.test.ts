import * as fs from 'fs';
import * as path from 'path';
import {
  expectRestrictedPodSecurity,
  expectValidManifests,
  manifestProblems,
  parseQuantity,
  restrictedPodSecurityViolations,
  workloadContainers,
} from './manifests';
import { CRD_SOURCES, fixtureFileName, SCHEMA_DIR } from './schemas/crd-fixtures';
import { buildFixture, installedPackageDir } from './schemas/generate';

/** A Deployment that passes every check; tests break one thing at a time. */
function goodDeployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [{
            name: 'migrate',
            image: 'web:1.2.3',
            resources: { requests: { memory: '64Mi', cpu: '50m' }, limits: { memory: '64Mi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
          containers: [{
            name: 'web',
            image: 'web:1.2.3',
            env: [{ name: 'GOMEMLIMIT', value: '241591910' }],
            ports: [{ containerPort: 8080 }],
            resources: { requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '256Mi', cpu: '1' } },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
            },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

const prometheusRule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'memory', namespace: 'shop' },
  spec: { groups: [{ name: 'memory', rules: [{ alert: 'MemoryNearLimit', expr: 'up == 0', for: '5m' }] }] },
};
const alertmanagerConfig = {
  apiVersion: 'monitoring.coreos.com/v1alpha1',
  kind: 'AlertmanagerConfig',
  metadata: { name: 'memory', namespace: 'shop' },
  spec: { route: { receiver: 'null', groupBy: ['alertname'] }, receivers: [{ name: 'null' }] },
};
const vpa = {
  apiVersion: 'autoscaling.k8s.io/v1',
  kind: 'VerticalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    updatePolicy: { updateMode: 'Off' },
    resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: ['memory'] }] },
  },
};
const dashboard = {
  apiVersion: 'grafana.integreatly.org/v1beta1',
  kind: 'GrafanaDashboard',
  metadata: { name: 'memory', namespace: 'shop' },
  spec: { instanceSelector: { matchLabels: { dashboards: 'grafana' } }, json: '{}' },
};

/** The single problem `manifestProblems` reports for the objects (fails the test when there are none or several). */
function onlyProblem(objects: unknown[]): string {
  const problems = manifestProblems(objects);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('expectValidManifests', () => {
  test('GIVEN a good Deployment, PrometheusRule, AlertmanagerConfig, VPA and GrafanaDashboard WHEN validated THEN nothing is reported', () => {
    expect(manifestProblems([goodDeployment(), prometheusRule, alertmanagerConfig, vpa, dashboard])).toEqual([]);
    expect(() => expectValidManifests([goodDeployment(), prometheusRule, alertmanagerConfig, vpa, dashboard])).not.toThrow();
  });

  test('GIVEN core, batch, policy, rbac, autoscaling/v2, networking and scheduling objects WHEN validated THEN nothing is reported', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'redis.conf', namespace: 'shop' }, data: { 'redis.conf': 'maxmemory 1mb' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } },
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'memory', namespace: 'shop' }, spec: { limits: [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '512Mi' }, max: { memory: '2Gi' }, maxLimitRequestRatio: { memory: '1' } }] } },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'memory', namespace: 'shop' }, spec: { hard: { 'requests.memory': '8Gi', 'limits.memory': '8Gi', 'pods': '20' } } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'vacuum', namespace: 'shop' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'vacuum', image: 'postgres:15.5' }] } } } } } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'memguard:reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'memguard-critical' }, value: 1000000 },
    ];
    expect(manifestProblems(objects)).toEqual([]);
  });

  test('GIVEN a misspelled field "resource" WHEN validated THEN it names the object, the path and the likely field', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].resource = { limits: { memory: '1Gi' } };
    expect(onlyProblem([d])).toBe('Deployment/shop/web /spec/template/spec/containers/0: unknown field "resource" '
      + '(not in Kubernetes 1.28 Container; did you mean "resources"?)');
  });

  test('GIVEN a misspelled field deep in a CRD WHEN validated THEN the CRD schema reports it', () => {
    const rule = structuredClone(prometheusRule);
    (rule.spec.groups[0].rules[0] as any).annotation = { summary: 'x' };
    expect(onlyProblem([rule])).toBe('PrometheusRule/shop/memory /spec/groups/0/rules/0: unknown field "annotation" '
      + '(not in the CRD schema; did you mean "annotations"?)');
  });

  test('GIVEN a misspelled field in a GrafanaDashboard\'s metadata WHEN validated THEN the Kubernetes ObjectMeta fields apply', () => {
    const d = structuredClone(dashboard);
    (d.metadata as any).label = { a: 'b' };
    expect(onlyProblem([d])).toBe('GrafanaDashboard/shop/memory /metadata: unknown field "label" '
      + '(not in Kubernetes 1.28 ObjectMeta; did you mean "labels"?)');
  });

  test('GIVEN a GrafanaDashboard without its required instanceSelector WHEN validated THEN the schema fixture reports it', () => {
    const d = structuredClone(dashboard) as any;
    delete d.spec.instanceSelector;
    expect(onlyProblem([d])).toBe('GrafanaDashboard/shop/memory /spec: schema: must have required property \'instanceSelector\'');
  });

  test('GIVEN a VPA with an unknown update mode WHEN validated THEN the autoscaler model reports the allowed values', () => {
    const v = structuredClone(vpa);
    v.spec.updatePolicy.updateMode = 'Sometimes';
    expect(onlyProblem([v])).toBe('VerticalPodAutoscaler/shop/web /spec/updatePolicy/updateMode: schema: '
      + 'must be equal to one of the allowed values ["Off","Initial","Recreate","Auto"]');
  });

  test('GIVEN a memory request above its limit WHEN validated THEN the request is reported with both values', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].resources = { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } };
    expect(onlyProblem([d])).toBe('Deployment/shop/web /spec/template/spec/containers/0/resources/requests/memory: '
      + 'memory request 1Gi exceeds its limit 512Mi in container "web"');
  });

  test('GIVEN a cpu request above its limit in an init container WHEN validated THEN it is reported', () => {
    const d = goodDeployment();
    d.spec.template.spec.initContainers[0].resources = { requests: { cpu: '1500m' }, limits: { cpu: '1' } };
    expect(onlyProblem([d])).toBe('Deployment/shop/web /spec/template/spec/initContainers/0/resources/requests/cpu: '
      + 'cpu request 1500m exceeds its limit 1 in container "migrate"');
  });

  test('GIVEN a quantity that does not parse WHEN validated THEN the model and our own parser report it once each', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].resources.limits.memory = '1GB';
    expect(manifestProblems([d])).toEqual([
      'Deployment/shop/web /spec/template/spec/containers/0/resources/limits/memory: schema: must be number; '
        + 'must match format "quantity"; must match exactly one schema in "oneOf"',
      'Deployment/shop/web /spec/template/spec/containers/0/resources/limits/memory: invalid quantity "1GB"',
    ]);
  });

  test('GIVEN an emptyDir sizeLimit that does not parse WHEN validated THEN our parser reports it', () => {
    const d = goodDeployment();
    d.spec.template.spec.volumes[0].emptyDir.sizeLimit = '64 MiB';
    expect(manifestProblems([d])).toContain(
      'Deployment/shop/web /spec/template/spec/volumes/0/emptyDir/sizeLimit: invalid quantity "64 MiB"');
  });

  test('GIVEN names that are not DNS-1123 WHEN validated THEN each name is reported with the rule', () => {
    const d = goodDeployment();
    d.metadata.name = 'Web_App';
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a'.repeat(64) } };
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } };
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c'.repeat(53), namespace: 'shop' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }] } } } } } };
    expect(manifestProblems([d, ns, svc, cron])).toEqual([
      'Deployment/shop/Web_App /metadata/name: invalid name "Web_App": must be a DNS-1123 subdomain (lower-case alphanumerics, "-" and ".") of at most 253 characters',
      `Namespace/${'a'.repeat(64)} /metadata/name: invalid name "${'a'.repeat(64)}": must be a DNS-1123 label (lower-case alphanumerics and "-", starting and ending alphanumeric) of at most 63 characters`,
      'Service/shop/1web /metadata/name: invalid name "1web": must be a DNS-1035 label (lower-case alphanumerics and "-", starting with a letter) of at most 63 characters',
      `CronJob/shop/${'c'.repeat(53)} /metadata/name: invalid name "${'c'.repeat(53)}": must be a DNS-1123 subdomain (lower-case alphanumerics, "-" and ".") of at most 52 characters`,
    ]);
  });

  test('GIVEN a missing name WHEN validated THEN the object is named by its index', () => {
    expect(onlyProblem([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }])).toBe('ConfigMap #0 /metadata/name: missing metadata.name');
  });

  test('GIVEN bad label values and keys WHEN validated THEN each is reported', () => {
    const d = goodDeployment();
    d.metadata.labels = { 'app.kubernetes.io/name': 'web app', 'bad key!': 'x' };
    d.spec.template.metadata.labels.version = 'v'.repeat(64);
    expect(manifestProblems([d])).toEqual([
      'Deployment/shop/web /metadata/labels/app.kubernetes.io~1name: invalid label value "web app": at most 63 alphanumerics, "-", "_", ".", starting and ending alphanumeric',
      'Deployment/shop/web /metadata/labels/bad key!: invalid key "bad key!": [DNS-1123 subdomain prefix "/"] name of at most 63 alphanumerics, "-", "_", "."',
      `Deployment/shop/web /spec/template/metadata/labels/version: invalid label value "${'v'.repeat(64)}": at most 63 alphanumerics, "-", "_", ".", starting and ending alphanumeric`,
    ]);
  });

  test('GIVEN the same kind, namespace and name twice WHEN validated THEN the second is a duplicate of the first', () => {
    expect(onlyProblem([goodDeployment(), prometheusRule, goodDeployment()]))
      .toBe('Deployment/shop/web /metadata/name: duplicate of object #0 (same kind, namespace and name)');
  });

  test('GIVEN two containers with one name and an env var set twice WHEN validated THEN both are reported', () => {
    const d = goodDeployment();
    d.spec.template.spec.initContainers[0].name = 'web';
    d.spec.template.spec.containers[0].env.push({ name: 'GOMEMLIMIT', value: '1' });
    expect(manifestProblems([d])).toEqual([
      'Deployment/shop/web /spec/template/spec/containers/0/name: duplicate container name "web" (also /spec/template/spec/initContainers/0)',
      'Deployment/shop/web /spec/template/spec/containers/0/env/1/name: duplicate env var "GOMEMLIMIT" in container "web"',
    ]);
  });

  test('GIVEN an unknown apiVersion/kind WHEN validated THEN it fails rather than escaping validation', () => {
    expect(onlyProblem([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]))
      .toBe('Widget/w /: unknown apiVersion/kind "example.com/v1/Widget": neither Kubernetes 1.28 nor a CRD we have a schema for '
        + '(monitoring.coreos.com/v1/PrometheusRule, monitoring.coreos.com/v1/ServiceMonitor, monitoring.coreos.com/v1alpha1/AlertmanagerConfig, '
        + 'autoscaling.k8s.io/v1/VerticalPodAutoscaler, grafana.integreatly.org/v1beta1/GrafanaDashboard); '
        + 'add its schema in test/helpers/manifests.ts');
  });

  test('GIVEN a kind removed before 1.28 WHEN validated THEN it is unknown', () => {
    expect(onlyProblem([{ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name: 'p' } }]))
      .toMatch(/^PodSecurityPolicy\/p \/: unknown apiVersion\/kind "policy\/v1beta1\/PodSecurityPolicy"/);
  });

  test('GIVEN a non-object, an object without kind and an empty list WHEN validated THEN each is reported', () => {
    expect(manifestProblems(['apiVersion: v1', { apiVersion: 'v1' }])).toEqual([
      'object #0: not a Kubernetes object (needs string apiVersion and kind): "apiVersion: v1"',
      'object #1: not a Kubernetes object (needs string apiVersion and kind): {"apiVersion":"v1"}',
    ]);
    expect(manifestProblems([])).toEqual(['no manifest objects: nothing was synthesized']);
  });

  test('GIVEN several problems WHEN expectValidManifests runs THEN one Error lists them all', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].resource = {};
    d.spec.replicas = 'two';
    expect(() => expectValidManifests([d])).toThrow(
      '2 manifest problem(s) in 1 object(s):\n'
      + '  - Deployment/shop/web /spec/replicas: schema: must be integer\n'
      + '  - Deployment/shop/web /spec/template/spec/containers/0: unknown field "resource" (not in Kubernetes 1.28 Container; did you mean "resources"?)');
  });
});

describe('parseQuantity', () => {
  test.each([
    ['512Mi', 512 * 2 ** 20], ['1.5Gi', 1.5 * 2 ** 30], ['250m', 0.25], ['2G', 2e9], ['1e3', 1000], ['1E', 1e18], [7, 7], ['.5', 0.5],
  ])('GIVEN %p THEN it is %p', (text, value) => {
    expect(parseQuantity(text)).toBe(value);
  });

  test.each(['1GB', '', 'Mi', '1.2.3', '1 Gi', '1mi'])('GIVEN %p THEN it does not parse', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('expectRestrictedPodSecurity', () => {
  test('GIVEN a restricted Deployment WHEN checked THEN nothing is reported', () => {
    expect(restrictedPodSecurityViolations([goodDeployment()])).toEqual([]);
    expect(() => expectRestrictedPodSecurity([goodDeployment(), prometheusRule])).not.toThrow();
  });

  test('GIVEN a privileged container WHEN checked THEN object, container and rule are named', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].securityContext.privileged = true;
    expect(restrictedPodSecurityViolations([d])).toEqual([
      'Deployment/shop/web container "web": privileged: securityContext.privileged must be unset or false',
    ]);
  });

  test('GIVEN a hostPath volume and host namespaces WHEN checked THEN each is a violation', () => {
    const d = goodDeployment();
    d.spec.template.spec.volumes.push({ name: 'root', hostPath: { path: '/' } });
    d.spec.template.spec.hostPID = true;
    d.spec.template.spec.hostNetwork = true;
    expect(restrictedPodSecurityViolations([d])).toEqual([
      'Deployment/shop/web: host namespaces: hostNetwork must be unset or false',
      'Deployment/shop/web: host namespaces: hostPID must be unset or false',
      'Deployment/shop/web: volume types: volume "root" uses hostPath; allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret',
    ]);
  });

  test('GIVEN no seccomp profile anywhere WHEN checked THEN every container is reported', () => {
    const d = goodDeployment();
    delete d.spec.template.spec.securityContext.seccompProfile;
    expect(restrictedPodSecurityViolations([d])).toEqual([
      'Deployment/shop/web initContainer "migrate": seccomp: seccompProfile.type must be RuntimeDefault or Localhost (container or pod)',
      'Deployment/shop/web container "web": seccomp: seccompProfile.type must be RuntimeDefault or Localhost (container or pod)',
    ]);
  });

  test('GIVEN an Unconfined seccomp profile on a container WHEN checked THEN it is reported', () => {
    const d = goodDeployment();
    d.spec.template.spec.containers[0].securityContext.seccompProfile = { type: 'Unconfined' };
    expect(restrictedPodSecurityViolations([d])).toEqual([
      'Deployment/shop/web container "web": seccomp: container seccompProfile.type is "Unconfined"; must be RuntimeDefault or Localhost',
    ]);
  });

  test('GIVEN root, escalation, added capabilities and a hostPort in a CronJob WHEN checked THEN each rule is reported', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup' },
      spec: {
        schedule: '@daily',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'backup',
                  image: 'backup:1',
                  ports: [{ containerPort: 80, hostPort: 80 }],
                  securityContext: { runAsNonRoot: false, capabilities: { add: ['SYS_ADMIN'] } },
                }],
              },
            },
          },
        },
      },
    };
    expect(restrictedPodSecurityViolations([cron])).toEqual([
      'CronJob/backup: runAsUser: pod securityContext.runAsUser must not be 0',
      'CronJob/backup container "backup": privilege escalation: securityContext.allowPrivilegeEscalation must be false',
      'CronJob/backup container "backup": running as non-root: runAsNonRoot must be true in the container or pod securityContext',
      'CronJob/backup container "backup": capabilities: securityContext.capabilities.drop must include ALL',
      'CronJob/backup container "backup": capabilities: adds SYS_ADMIN; only NET_BIND_SERVICE may be added',
      'CronJob/backup container "backup": host ports: hostPort 80 must be unset or 0',
    ]);
  });

  test('GIVEN an ephemeral container without a security context WHEN checked THEN it is checked too', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { ...goodDeployment().spec.template.spec, ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }] } };
    expect(restrictedPodSecurityViolations([pod])).toEqual([
      'Pod/p ephemeralContainer "debug": privilege escalation: securityContext.allowPrivilegeEscalation must be false',
      'Pod/p ephemeralContainer "debug": capabilities: securityContext.capabilities.drop must include ALL',
    ]);
  });

  test('GIVEN a privileged DaemonSet that is excepted WHEN checked THEN only the others count', () => {
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'swap' }, spec: { template: { spec: { containers: [{ name: 's', securityContext: { privileged: true } }] } } } };
    expect(() => expectRestrictedPodSecurity([ds, goodDeployment()], { except: (o) => o.kind === 'DaemonSet' })).not.toThrow();
    expect(() => expectRestrictedPodSecurity([ds])).toThrow(/^5 Pod Security "restricted" violation\(s\):\n {2}- DaemonSet\/swap container "s": privileged:/);
  });
});

describe('workloadContainers', () => {
  test('GIVEN a Deployment and a CronJob WHEN listed THEN init and app containers come with their owner and path', () => {
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'vacuum' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'vacuum' }] } } } } } };
    const listed = workloadContainers([goodDeployment(), prometheusRule, cron]).map((c) => [c.ownerRef, c.slot, c.path, c.container.name]);
    expect(listed).toEqual([
      ['Deployment/shop/web', 'initContainers', '/spec/template/spec/initContainers/0', 'migrate'],
      ['Deployment/shop/web', 'containers', '/spec/template/spec/containers/0', 'web'],
      ['CronJob/vacuum', 'containers', '/spec/jobTemplate/spec/template/spec/containers/0', 'vacuum'],
    ]);
  });

  test('GIVEN the good Deployment WHEN every container is checked for memory requests and limits THEN all have them', () => {
    for (const { container } of workloadContainers([goodDeployment()])) {
      expect(container.resources?.requests?.memory).toBeDefined();
      expect(container.resources?.limits?.memory).toBeDefined();
    }
  });
});

describe('CRD schema fixtures', () => {
  test.each(CRD_SOURCES.filter((s) => s.installed).map((s) => [s.kind, s] as const))(
    'GIVEN the installed models WHEN the %s fixture is regenerated THEN it equals the committed one',
    (_kind, source) => {
      const committed = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, fixtureFileName(source.apiVersion, source.kind)), 'utf8'));
      expect(buildFixture(source, installedPackageDir(source.package))).toEqual(committed);
    },
  );

  test('GIVEN the GrafanaDashboard fixture THEN it names its source package and upstream CRD version', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'grafana.integreatly.org_v1beta1_GrafanaDashboard.json'), 'utf8'));
    expect(committed.source).toBe('@kubernetes-models/grafana-operator@3.0.0 grafana.integreatly.org/v1beta1/GrafanaDashboard.d.ts '
      + '(generated from grafana/grafana-operator v5.22.2 deploy/kustomize/base/crds.yaml)');
    expect(committed.schema.required).toEqual(['apiVersion', 'kind', 'spec']);
    expect(committed.schema.properties.spec.required).toEqual(['instanceSelector']);
  });
});
