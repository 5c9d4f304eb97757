import { App, Chart } from 'cdk8s';
import { MemoryRemediation, MemoryRemediationProps, REMEDIATION_ROLE_RULES } from '../../src/cdk8s/memory-remediation';
import { DEFAULT_SELECTORS, nodeMemoryPressureCondition, resolveSelectors, workingSetToLimitRatio } from '../../src/observability/queries';
import { REMEDIATION_PROGRAM_JS } from '../../src/remediation/program-bundle.generated';
import { Memory } from '../../src/sizing/quantity';
import { expectRestrictedPodSecurity, expectValidManifests } from '../helpers/manifests';

function synth(props: MemoryRemediationProps = {}, chartNamespace: string | undefined = 'ops'): { objects: any[]; construct: MemoryRemediation } {
  const chart = new Chart(new App(), 'test', { namespace: chartNamespace });
  const construct = new MemoryRemediation(chart, 'remediation', props);
  const objects = chart.toJson();
  expectValidManifests(objects);
  expectRestrictedPodSecurity(objects);
  return { objects, construct };
}
const byKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);

describe('MemoryRemediation', () => {
  test('GIVEN defaults WHEN synthesized THEN a CronJob every 5 minutes, Forbid, deadlines, history limits, on the pinned node image', () => {
    const { objects } = synth();
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}`).sort()).toEqual([
      'ConfigMap/ops', 'CronJob/ops', 'Role/ops', 'RoleBinding/ops', 'ServiceAccount/ops',
    ]);
    const [cron] = byKind(objects, 'CronJob');
    expect(cron.spec).toMatchObject({
      schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 120, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3,
    });
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 330 });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe(byKind(objects, 'ServiceAccount')[0].metadata.name);
    const [container] = pod.containers;
    expect(container.image).toBe('node:20.19.5-alpine3.22');
    expect(container.command).toEqual(['node', '/opt/memguard/remediate.js']);
    expect(container.resources).toEqual({ requests: { memory: '128Mi', cpu: '50m' }, limits: { memory: '128Mi' } });
    expect(container.env).toEqual([
      { name: 'MEMGUARD_CONFIG', value: '/opt/memguard/config.json' },
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=96' },
    ]);
    expect(pod.volumes).toEqual([{ name: 'program', configMap: { name: byKind(objects, 'ConfigMap')[0].metadata.name, defaultMode: 0o444 } }]);
  });

  test('GIVEN defaults THEN the ConfigMap holds the bundled program and a config with the alert\'s expression and 85% threshold', () => {
    const { objects, construct } = synth();
    const [cm] = byKind(objects, 'ConfigMap');
    expect(cm.data['remediate.js']).toBe(REMEDIATION_PROGRAM_JS);
    const config = JSON.parse(cm.data['config.json']);
    expect(config).toEqual(JSON.parse(JSON.stringify(construct.config)));
    expect(config.ratioQuery).toBe(workingSetToLimitRatio(DEFAULT_SELECTORS, { namespace: 'ops' }));
    expect(config.diagnostics.nodePressureQuery).toBe(nodeMemoryPressureCondition(DEFAULT_SELECTORS));
    expect(config.diagnostics.nodePressureQuery).toBe(
      'max by (node) (kube_node_status_condition{job="kube-state-metrics", condition="MemoryPressure", status="true"}) == 1');
    expect(config).toMatchObject({
      thresholdRatio: 0.85,
      namespaces: ['ops'],
      actions: ['restart'],
      cooldownSeconds: 1800,
      maxActionsPerRun: 3,
      waitSeconds: 30,
      dryRun: false,
      prometheusUrl: 'http://prometheus-operated.monitoring.svc:9090',
      kubernetes: { apiUrl: 'https://kubernetes.default.svc', tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token', caPath: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
    });
    expect(config.escalation).toBeUndefined();
  });

  test('GIVEN two target namespaces THEN each gets exactly one Role (get/list pods, get/patch deployments and statefulsets, nothing on replicasets) bound to the job\'s ServiceAccount, and nothing cluster-wide', () => {
    const { objects } = synth({ targetNamespaces: ['shop', 'erp'] });
    const sa = byKind(objects, 'ServiceAccount')[0];
    expect(objects.some((o) => o.kind.startsWith('Cluster'))).toBe(false);
    const roles = byKind(objects, 'Role');
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['shop', 'erp']);
    for (const role of roles) {
      expect(role.rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'patch'] },
      ]);
    }
    expect(REMEDIATION_ROLE_RULES).toEqual(roles[0].rules);
    const bindings = byKind(objects, 'RoleBinding');
    expect(bindings.map((b) => [b.metadata.namespace, b.roleRef, b.subjects])).toEqual(roles.map((r) => [
      r.metadata.namespace,
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: r.metadata.name },
      [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'ops' }],
    ]));
    expect(JSON.parse(byKind(objects, 'ConfigMap')[0].data['config.json']).ratioQuery).toContain('namespace=~"shop|erp"');
  });

  test('GIVEN custom exporter selectors THEN the node pressure diagnostic is the shared queries.ts expression over them', () => {
    const selectors = { kubeStateMetrics: 'job="ksm", cluster="eu"' };
    const { construct } = synth({ selectors });
    expect(construct.config.diagnostics.nodePressureQuery).toBe(nodeMemoryPressureCondition(resolveSelectors(selectors)));
    expect(construct.config.diagnostics.nodePressureQuery).toContain('kube_node_status_condition{job="ksm", cluster="eu", condition="MemoryPressure"');
  });

  test('GIVEN GitHub escalation and a Redis password THEN the token and password are secretKeyRefs, never values', () => {
    const { objects } = synth({
      actions: ['flush-redis', 'restart'],
      redis: { host: 'cache.shop.svc', workload: { kind: 'Deployment', name: 'cache' }, passwordSecret: { secretName: 'redis-auth', key: 'password' } },
      escalation: { github: { repository: 'acme/shop', tokenSecret: { secretName: 'gh-token', key: 'token' } } },
    });
    const env = byKind(objects, 'CronJob')[0].spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env.slice(2)).toEqual([
      { name: 'MEMGUARD_GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh-token', key: 'token' } } },
      { name: 'MEMGUARD_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
    ]);
    const config = JSON.parse(byKind(objects, 'ConfigMap')[0].data['config.json']);
    expect(config.escalation).toEqual({ kind: 'github', apiUrl: 'https://api.github.com', repository: 'acme/shop', labels: ['memguard', 'memory-incident'] });
    expect(config.redis).toEqual({ host: 'cache.shop.svc', port: 6379, passwordFromEnv: true, workload: { kind: 'Deployment', name: 'cache', namespace: 'ops' } });
  });

  test('GIVEN webhook escalation, dry-run and custom timing THEN they reach the config and the CronJob', () => {
    const { objects } = synth({
      escalation: { webhook: { urlSecret: { secretName: 'hook', key: 'url' } } },
      dryRun: true,
      schedule: '*/10 * * * *',
      waitSeconds: 60,
      cooldownMinutes: 60,
      maxActionsPerRun: 1,
      thresholdPercent: 90,
      memory: Memory.mebibytes(96),
    });
    const cron = byKind(objects, 'CronJob')[0];
    expect(cron.spec.schedule).toBe('*/10 * * * *');
    expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(360);
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].env[2]).toEqual({ name: 'MEMGUARD_WEBHOOK_URL', valueFrom: { secretKeyRef: { name: 'hook', key: 'url' } } });
    expect(JSON.parse(byKind(objects, 'ConfigMap')[0].data['config.json'])).toMatchObject({
      dryRun: true, waitSeconds: 60, cooldownSeconds: 3600, maxActionsPerRun: 1, thresholdRatio: 0.9, escalation: { kind: 'webhook' },
    });
  });

  test.each([
    'registry.local:5000/library/node:20.19.5-alpine3.22',
    `node@sha256:${'a'.repeat(64)}`,
  ])('GIVEN the pinned image %s (a registry port, a digest) WHEN synthesized THEN the job runs on it', (image) => {
    const { objects } = synth({ image }, 'ops');
    expect(byKind(objects, 'CronJob')[0].spec.jobTemplate.spec.template.spec.containers[0].image).toBe(image);
  });

  test.each<[string, MemoryRemediationProps, string | undefined, string]>([
    ['no namespace', {}, undefined, 'Invalid namespace undefined. Accepted: a namespace name (or a chart with a namespace).'],
    ['flush-redis without redis', { actions: ['flush-redis'] }, 'ops', 'Invalid redis undefined. Accepted: a Redis target ({ host, workload, port?, passwordSecret? }) when actions include "flush-redis".'],
    ['raise-limit without factor', { actions: ['raise-limit'] }, 'ops', 'Invalid raiseLimitFactor undefined. Accepted: a factor from 1.01 to 3 when actions include "raise-limit" (off by default: the next GitOps sync reverts it and it hides leaks).'],
    ['an unknown action', { actions: ['reboot' as any] }, 'ops', 'Invalid actions[0] "reboot". Accepted: one of "restart", "flush-redis", "raise-limit".'],
    ['a duplicate action', { actions: ['restart', 'restart'] }, 'ops', 'Invalid actions ["restart","restart"]. Accepted: each action at most once.'],
    ['a threshold above 100', { thresholdPercent: 120 }, 'ops', 'Invalid thresholdPercent 120. Accepted: a number from 1% to 100%.'],
    ['a bad namespace', { targetNamespaces: ['Shop'] }, 'ops', 'Invalid targetNamespaces[0] "Shop". Accepted: a namespace name (lowercase DNS label).'],
    ['no target namespace', { targetNamespaces: [] }, 'ops', 'Invalid targetNamespaces []. Accepted: at least one namespace.'],
    ['an unpinned image', { image: 'node:latest' }, 'ops', 'Invalid image "node:latest": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest, such as node:20.19.5-alpine3.22.'],
    ['an image without tag', { image: 'node' }, 'ops', 'Invalid image "node": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest, such as node:20.19.5-alpine3.22.'],
    ['an image behind a registry port without tag', { image: 'registry.local:5000/library/node' }, 'ops', 'Invalid image "registry.local:5000/library/node": a floating tag changes under you. Accepted: an image pinned to a version tag or a digest, such as node:20.19.5-alpine3.22.'],
    ['a namespace that is no DNS-1123 label', { namespace: 'Ops Team' }, 'ops', 'Invalid namespace "Ops Team". Accepted: a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit.'],
    ['a bad schedule', { schedule: 'every 5 minutes' }, 'ops', 'Invalid schedule "every 5 minutes". Accepted: a cron schedule of 5 fields, such as "*/5 * * * *", or a macro such as "@hourly".'],
    ['a deadline shorter than the wait', { waitSeconds: 120, activeDeadlineSeconds: 100 }, 'ops', 'Invalid activeDeadlineSeconds 100. Accepted: a whole number 180 or more.'],
    ['too little memory', { memory: Memory.mebibytes(32) }, 'ops', 'Invalid memory "32Mi". Accepted: at least 64Mi (Node.js itself needs about 40Mi).'],
    ['both escalations', { escalation: { github: { repository: 'a/b', tokenSecret: { secretName: 'x', key: 'y' } }, webhook: { urlSecret: { secretName: 'h', key: 'u' } } } as any }, 'ops', 'Invalid escalation ["github","webhook"]. Accepted: exactly one of github or webhook.'],
    ['a bad repository', { escalation: { github: { repository: 'acme', tokenSecret: { secretName: 'x', key: 'y' } } } }, 'ops', 'Invalid escalation.github.repository "acme". Accepted: "owner/name".'],
    ['a bad secret key', { escalation: { webhook: { urlSecret: { secretName: 'hook', key: 'a b' } } } }, 'ops', 'Invalid escalation.webhook.urlSecret.key "a b". Accepted: a Secret key (letters, digits, "-", "_", ".").'],
    ['a raise factor above 3', { actions: ['raise-limit'], raiseLimitFactor: 4 }, 'ops', 'Invalid raiseLimitFactor 4. Accepted: a number from 1.01 to 3.'],
  ])('GIVEN %s THEN it throws the whole message before emitting anything', (_what, props, namespace, message) => {
    const chart = new Chart(new App(), 'test', { namespace });
    expect(() => new MemoryRemediation(chart, 'r', props)).toThrow(message);
    expect(chart.toJson()).toEqual([]);
  });
});
