import Ajv, { ValidateFunction } from 'ajv';
import { App, Chart } from 'cdk8s';
/**
 * Shared manifest checks: every object a test synthesizes goes through `expectValidManifests`, every workload through
 * `expectRestrictedPodSecurity`.
 *
 * Sources of truth:
 * - types, required fields, enums and quantity formats: kubernetes-models 4.5.1 (built-ins),
 *   @kubernetes-models/prometheus-operator 4.4.4 (PrometheusRule v1, AlertmanagerConfig v1alpha1),
 *   @kubernetes-models/autoscaler 3.3.4 (VerticalPodAutoscaler v1), and for GrafanaDashboard v1beta1 the schema fixture
 *   in `schemas/` validated with ajv;
 * - field names (the strict unknown-field check): Kubernetes 1.28 as generated into cdk8s-plus-28 (`kubernetes-fields.ts`),
 *   and the CRD fixtures in `schemas/`;
 * - our own rules for what schemas do not express (request <= limit, names, labels, duplicates).
 */
import { FieldShape, kubernetesFieldMap } from './kubernetes-fields';
import { CrdFixture, loadCrdFixtures } from './schemas/crd-fixtures';
import { FixtureSchema } from './schemas/dts-to-schema';

/** A Kubernetes object as it appears in a manifest. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The kind of container slot in a pod spec. */
export type ContainerSlot = 'containers' | 'initContainers' | 'ephemeralContainers';

/** One container of a workload, with the object that owns it. */
export interface WorkloadContainer {
  /** The workload object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, PodTemplate, ...). */
  readonly owner: ManifestObject;
  /** `Kind/name`, or `Kind/namespace/name` when the object has a namespace. */
  readonly ownerRef: string;
  /** The pod spec the container is in. */
  readonly podSpec: Record<string, any>;
  /** JSON-pointer path of the pod spec within the owner, e.g. `/spec/template/spec`. */
  readonly podSpecPath: string;
  readonly slot: ContainerSlot;
  /** JSON-pointer path of the container within the owner, e.g. `/spec/template/spec/initContainers/0`. */
  readonly path: string;
  readonly container: Record<string, any>;
}

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  'v1/Pod': ['spec'],
  'v1/PodTemplate': ['template', 'spec'],
  'v1/ReplicationController': ['spec', 'template', 'spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/StatefulSet': ['spec', 'template', 'spec'],
  'apps/v1/DaemonSet': ['spec', 'template', 'spec'],
  'apps/v1/ReplicaSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

// ---------------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Throws one Error listing every problem of every object (schema, unknown fields, quantities, requests <= limits,
 * names, labels, duplicates, container and env var names). An apiVersion/kind we have no schema for is a problem too.
 */
export function expectValidManifests(objects: unknown[]): void {
  const problems = manifestProblems(objects);
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} manifest problem(s) in ${objects.length} object(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** The problems `expectValidManifests` would report, one line each: `Kind/name /json/pointer: message`. */
export function manifestProblems(objects: unknown[]): string[] {
  if (!Array.isArray(objects)) return ['expected an array of manifest objects'];
  const problems: string[] = [];
  if (objects.length === 0) problems.push('no manifest objects: nothing was synthesized');
  const seen = new Map<string, number>();
  objects.forEach((value, index) => {
    if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      problems.push(`object #${index}: not a Kubernetes object (needs string apiVersion and kind): ${preview(value)}`);
      return;
    }
    const obj = value as ManifestObject;
    const ref = objectRef(obj, index);
    const report = (path: string, message: string) => problems.push(`${ref} ${path || '/'}: ${message}`);
    const key = `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (seen.has(key)) report('/metadata/name', `duplicate of object #${seen.get(key)} (same kind, namespace and name)`);
    else seen.set(key, index);
    checkObject(obj, report);
  });
  return problems;
}

/** Options of `expectRestrictedPodSecurity`. */
export interface RestrictedPodSecurityOptions {
  /** Objects to leave out, e.g. the swap DaemonSet that runs in a privileged namespace. */
  readonly except?: (obj: ManifestObject) => boolean;
}

/**
 * Throws one Error naming object, container and rule for every violation of the Pod Security Standards "restricted"
 * profile (Kubernetes 1.28) in any pod template of the objects.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function expectRestrictedPodSecurity(objects: unknown[], options: RestrictedPodSecurityOptions = {}): void {
  const violations = restrictedPodSecurityViolations(objects, options);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} Pod Security "restricted" violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`,
    );
  }
}

/** The violations `expectRestrictedPodSecurity` would report, one line each: `Kind/name container "c": rule: detail`. */
export function restrictedPodSecurityViolations(objects: unknown[], options: RestrictedPodSecurityOptions = {}): string[] {
  const violations: string[] = [];
  for (const { obj, ref, podSpec } of podSpecs(objects)) {
    if (options.except?.(obj)) continue;
    checkRestricted(podSpec, (where, rule, detail) => violations.push(`${ref}${where}: ${rule}: ${detail}`));
  }
  return violations;
}

/**
 * Every container and init container of every workload object (Pod, PodTemplate, ReplicationController, Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), with its owner. Ephemeral containers only when asked for:
 * they cannot have resources.
 */
export function workloadContainers(objects: unknown[], options: { includeEphemeral?: boolean } = {}): WorkloadContainer[] {
  const result: WorkloadContainer[] = [];
  const slots: ContainerSlot[] = options.includeEphemeral
    ? ['initContainers', 'containers', 'ephemeralContainers']
    : ['initContainers', 'containers'];
  for (const { obj, ref, podSpec, path } of podSpecs(objects)) {
    for (const slot of slots) {
      const list = podSpec[slot];
      if (!Array.isArray(list)) continue;
      list.forEach((container, i) => {
        if (isRecord(container)) {
          result.push({ owner: obj, ownerRef: ref, podSpec, podSpecPath: path, slot, path: `${path}/${slot}/${i}`, container });
        }
      });
    }
  }
  return result;
}

/** Parses a Kubernetes quantity (`"512Mi"`, `"250m"`, `"1e3"`, or a JSON number) to a number, or undefined. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|m|k|M|G|T|P|E)?$/.exec(value);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const binary: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
  const decimal: Record<string, number> = { 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };
  const n = Number(match[1]);
  if (suffix in binary) return n * 1024 ** binary[suffix];
  if (suffix in decimal) return n * 10 ** decimal[suffix];
  return n * 10 ** Number(suffix.slice(1));
}

// ---------------------------------------------------------------------------------------------------------------------
// One object
// ---------------------------------------------------------------------------------------------------------------------

type Report = (path: string, message: string) => void;

function checkObject(obj: ManifestObject, report: Report): void {
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const crd = crdFixtures().get(gvk);
  const builtinType = kubernetesFieldMap().kinds.get(gvk);
  if (crd) {
    validateCrd(obj, crd, report);
    checkFixtureFields(obj, crd.schema, '', report);
  } else if (builtinType) {
    validateBuiltin(obj, report);
    checkBuiltinFields(obj, { kind: 'type', type: builtinType }, '', report);
  } else {
    report('', `unknown apiVersion/kind "${gvk}": neither Kubernetes 1.28 nor a CRD we have a schema for `
      + `(${[...crdFixtures().keys()].join(', ')}); add its schema in test/helpers/manifests.ts`);
    return;
  }
  checkMetadata(obj, report);
  const podSpecPath = POD_SPEC_PATHS[gvk];
  if (podSpecPath) {
    const template = podSpecPath.length > 1 ? at(obj, podSpecPath.slice(0, -1)) : undefined;
    if (isRecord(template) && isRecord(template.metadata)) {
      checkLabels(template.metadata.labels, `/${podSpecPath.slice(0, -1).join('/')}/metadata/labels`, report);
    }
    const podSpec = at(obj, podSpecPath);
    if (isRecord(podSpec)) checkPodSpec(podSpec, `/${podSpecPath.join('/')}`, report);
  }
}

// --- schema validation -------------------------------------------------------------------------------------------------

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Model module and export of each CRD kind that has a CommonJS model package. */
const CRD_MODELS: Record<string, [module: string, kind: string]> = {
  'monitoring.coreos.com/v1/PrometheusRule': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'PrometheusRule'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'ServiceMonitor'],
  'monitoring.coreos.com/v1alpha1/AlertmanagerConfig': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig'],
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler': ['@kubernetes-models/autoscaler/autoscaling.k8s.io/v1', 'VerticalPodAutoscaler'],
};

/** Loads a model class on first use: the module path is computed, and most tests need only a few groups. */
function loadModel(module: string, kind: string): ModelClass | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(module) as Record<string, ModelClass | undefined>)[kind];
  } catch {
    return undefined;
  }
}

function validateBuiltin(obj: ManifestObject, report: Report): void {
  const model = loadModel(`kubernetes-models/${obj.apiVersion}`, obj.kind);
  if (!model) {
    report('', `kubernetes-models 4.5.1 has no model for ${obj.apiVersion} ${obj.kind} (removed after Kubernetes 1.28?)`);
    return;
  }
  runModel(model, obj, report);
}

function validateCrd(obj: ManifestObject, crd: CrdFixture, report: Report): void {
  const source = CRD_MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (source) {
    const model = loadModel(...source);
    if (!model) throw new Error(`cannot load ${source[1]} from ${source[0]}: run npm ci`);
    runModel(model, obj, report);
    return;
  }
  const validate = ajvValidator(crd);
  if (!validate(obj)) reportSchemaErrors(validate.errors ?? [], report);
}

function runModel(model: ModelClass, obj: ManifestObject, report: Report): void {
  try {
    new model(obj).validate();
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    reportSchemaErrors(errors, report);
  }
}

interface SchemaError { instancePath: string; message?: string; params?: Record<string, unknown> }

/** ajv reports a bad int-or-string or quantity three times (each oneOf branch): one line per path is enough. */
function reportSchemaErrors(errors: SchemaError[], report: Report): void {
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    let message = e.message ?? 'invalid';
    if (e.params?.allowedValues) message += ` ${JSON.stringify(e.params.allowedValues)}`;
    const list = byPath.get(e.instancePath) ?? [];
    if (!list.includes(message)) list.push(message);
    byPath.set(e.instancePath, list);
  }
  for (const [path, messages] of byPath) report(path, `schema: ${messages.join('; ')}`);
}

let fixtures: Map<string, CrdFixture> | undefined;
function crdFixtures(): Map<string, CrdFixture> {
  fixtures ??= new Map(loadCrdFixtures().map((f) => [`${f.apiVersion}/${f.kind}`, f]));
  return fixtures;
}

const validators = new Map<string, ValidateFunction>();
function ajvValidator(crd: CrdFixture): ValidateFunction {
  const key = `${crd.apiVersion}/${crd.kind}`;
  let validate = validators.get(key);
  if (!validate) {
    // strict: false lets ajv ignore our `x-kubernetes-type` annotation; the built-in field map checks those parts.
    validate = new Ajv({ allErrors: true, strict: false }).compile(crd.schema);
    validators.set(key, validate);
  }
  return validate;
}

// --- strict unknown-field check --------------------------------------------------------------------------------------

function checkBuiltinFields(value: unknown, shape: FieldShape, path: string, report: Report): void {
  switch (shape.kind) {
    case 'value':
      return;
    case 'quantity':
      if (value !== undefined && value !== null && parseQuantity(value) === undefined) {
        report(path, `invalid quantity ${JSON.stringify(value)}`);
      }
      return;
    case 'list':
      if (Array.isArray(value)) {
        value.forEach((item, i) => checkBuiltinFields(item, { kind: 'type', type: shape.type }, `${path}/${i}`, report));
      }
      return;
    case 'map':
      if (!isRecord(value)) return;
      for (const [key, item] of Object.entries(value)) {
        const itemPath = `${path}/${escapePointer(key)}`;
        if (shape.quantities) checkBuiltinFields(item, { kind: 'quantity' }, itemPath, report);
        else if (shape.type) checkBuiltinFields(item, { kind: 'type', type: shape.type }, itemPath, report);
      }
      return;
    case 'type': {
      if (!isRecord(value)) return;
      const fields = kubernetesFieldMap().types.get(shape.type);
      if (!fields) return;
      for (const [key, item] of Object.entries(value)) {
        const field = fields.get(key);
        if (!field) {
          report(path, unknownField(key, [...fields.keys()], `Kubernetes 1.28 ${shape.type}`));
        } else {
          checkBuiltinFields(item, field, `${path}/${escapePointer(key)}`, report);
        }
      }
      return;
    }
  }
}

function checkFixtureFields(value: unknown, schema: FixtureSchema, path: string, report: Report): void {
  if (schema['x-kubernetes-type']) {
    checkBuiltinFields(value, { kind: 'type', type: schema['x-kubernetes-type'] }, path, report);
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => checkFixtureFields(item, schema.items!, `${path}/${i}`, report));
  } else if (isRecord(value) && (schema.properties || schema.additionalProperties)) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = `${path}/${escapePointer(key)}`;
      const known = schema.properties?.[key];
      if (known) checkFixtureFields(item, known, itemPath, report);
      else if (schema.additionalProperties) checkFixtureFields(item, schema.additionalProperties, itemPath, report);
      else report(path, unknownField(key, Object.keys(schema.properties ?? {}), 'the CRD schema'));
    }
  }
}

function unknownField(key: string, known: string[], where: string): string {
  const close = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  return `unknown field "${key}" (not in ${where}${close ? `; did you mean "${close.k}"?` : ''})`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// --- names and labels ------------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** RBAC objects may be named like `system:metrics-reader`: any path segment name. */
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function checkMetadata(obj: ManifestObject, report: Report): void {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    report('/metadata/name', 'missing metadata.name');
  } else if (PATH_SEGMENT_KINDS.has(obj.kind) && obj.apiVersion.startsWith('rbac.authorization.k8s.io/')) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) report('/metadata/name', `invalid name "${name}": may not be "." or ".." or contain "/" or "%"`);
  } else if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') {
    checkName(name, DNS1123_LABEL, 63, 'a DNS-1123 label (lower-case alphanumerics and "-", starting and ending alphanumeric)', report);
  } else if (obj.kind === 'Service' && obj.apiVersion === 'v1') {
    checkName(name, DNS1035_LABEL, 63, 'a DNS-1035 label (lower-case alphanumerics and "-", starting with a letter)', report);
  } else {
    // CronJob names get an 11-character suffix for their Jobs, whose names become label values (63).
    const max = obj.kind === 'CronJob' ? 52 : 253;
    checkName(name, DNS1123_SUBDOMAIN, max, 'a DNS-1123 subdomain (lower-case alphanumerics, "-" and ".")', report);
  }
  const namespace = obj.metadata?.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    report('/metadata/namespace', `invalid namespace ${JSON.stringify(namespace)}: must be a DNS-1123 label of at most 63 characters`);
  }
  checkLabels(obj.metadata?.labels, '/metadata/labels', report);
  checkLabels(obj.metadata?.annotations, '/metadata/annotations', report, { keysOnly: true });
}

function checkName(name: string, pattern: RegExp, max: number, what: string, report: Report): void {
  if (name.length > max || !pattern.test(name)) {
    report('/metadata/name', `invalid name "${name}": must be ${what} of at most ${max} characters`);
  }
}

function checkLabels(labels: unknown, path: string, report: Report, options: { keysOnly?: boolean } = {}): void {
  if (!isRecord(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const keyOk = name.length <= 63 && LABEL_NAME.test(name)
      && (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
    if (!keyOk) {
      report(`${path}/${escapePointer(key)}`, `invalid key "${key}": [DNS-1123 subdomain prefix "/"] name of at most 63 alphanumerics, "-", "_", "."`);
    }
    if (!options.keysOnly && (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))) {
      report(`${path}/${escapePointer(key)}`, `invalid label value ${JSON.stringify(value)}: at most 63 alphanumerics, "-", "_", ".", starting and ending alphanumeric`);
    }
  }
}

// --- pod specs -------------------------------------------------------------------------------------------------------

function checkPodSpec(podSpec: Record<string, any>, path: string, report: Report): void {
  const names = new Map<string, string>();
  for (const slot of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = podSpec[slot];
    if (!Array.isArray(list)) continue;
    list.forEach((container, i) => {
      if (!isRecord(container)) return;
      const containerPath = `${path}/${slot}/${i}`;
      if (typeof container.name === 'string') {
        const first = names.get(container.name);
        if (first) report(`${containerPath}/name`, `duplicate container name "${container.name}" (also ${first})`);
        else names.set(container.name, containerPath);
      }
      checkEnvNames(container, containerPath, report);
      checkRequestsWithinLimits(container, containerPath, report);
    });
  }
}

function checkEnvNames(container: Record<string, any>, path: string, report: Report): void {
  if (!Array.isArray(container.env)) return;
  const seen = new Set<string>();
  container.env.forEach((env: unknown, i: number) => {
    if (!isRecord(env) || typeof env.name !== 'string') return;
    if (seen.has(env.name)) report(`${path}/env/${i}/name`, `duplicate env var "${env.name}" in container "${container.name}"`);
    seen.add(env.name);
  });
}

function checkRequestsWithinLimits(container: Record<string, any>, path: string, report: Report): void {
  const requests = container.resources?.requests;
  const limits = container.resources?.limits;
  if (!isRecord(requests) || !isRecord(limits)) return;
  for (const [resource, request] of Object.entries(requests)) {
    if (!(resource in limits)) continue;
    const r = parseQuantity(request);
    const l = parseQuantity(limits[resource]);
    if (r !== undefined && l !== undefined && r > l) {
      report(`${path}/resources/requests/${escapePointer(resource)}`,
        `${resource} request ${String(request)} exceeds its limit ${String(limits[resource])} in container "${container.name}"`);
    }
  }
}

// --- Pod Security "restricted" ---------------------------------------------------------------------------------------

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);
/** Volume fields that are not the volume source. */
const VOLUME_NON_SOURCE_FIELDS = new Set(['name']);

type Violation = (where: string, rule: string, detail: string) => void;

function checkRestricted(podSpec: Record<string, any>, violation: Violation): void {
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (podSpec[field] === true) violation('', 'host namespaces', `${field} must be unset or false`);
  }
  if (Array.isArray(podSpec.volumes)) {
    for (const volume of podSpec.volumes) {
      if (!isRecord(volume)) continue;
      for (const source of Object.keys(volume).filter((k) => !VOLUME_NON_SOURCE_FIELDS.has(k))) {
        if (!RESTRICTED_VOLUME_TYPES.has(source)) {
          violation('', 'volume types', `volume "${volume.name}" uses ${source}; allowed: ${[...RESTRICTED_VOLUME_TYPES].join(', ')}`);
        }
      }
    }
  }
  const pod = isRecord(podSpec.securityContext) ? podSpec.securityContext : {};
  if (pod.runAsUser === 0) violation('', 'runAsUser', 'pod securityContext.runAsUser must not be 0');
  checkSeccomp(pod.seccompProfile, '', 'pod', violation);
  for (const slot of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = podSpec[slot];
    if (!Array.isArray(list)) continue;
    for (const container of list) {
      if (!isRecord(container)) continue;
      const where = ` ${slot === 'containers' ? 'container' : slot.replace(/s$/, '')} "${container.name}"`;
      const sc = isRecord(container.securityContext) ? container.securityContext : {};
      if (sc.privileged === true) violation(where, 'privileged', 'securityContext.privileged must be unset or false');
      if (sc.allowPrivilegeEscalation !== false) {
        violation(where, 'privilege escalation', 'securityContext.allowPrivilegeEscalation must be false');
      }
      const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      if (runAsNonRoot !== true) {
        violation(where, 'running as non-root', 'runAsNonRoot must be true in the container or pod securityContext');
      }
      if (sc.runAsUser === 0) violation(where, 'runAsUser', 'securityContext.runAsUser must not be 0');
      if (sc.seccompProfile !== undefined) {checkSeccomp(sc.seccompProfile, where, 'container', violation);} else if (pod.seccompProfile === undefined) {
        violation(where, 'seccomp', 'seccompProfile.type must be RuntimeDefault or Localhost (container or pod)');
      }
      const drop: unknown[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
      if (!drop.includes('ALL')) violation(where, 'capabilities', 'securityContext.capabilities.drop must include ALL');
      const add: unknown[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
      for (const cap of add.filter((c) => c !== 'NET_BIND_SERVICE')) {
        violation(where, 'capabilities', `adds ${String(cap)}; only NET_BIND_SERVICE may be added`);
      }
      if (Array.isArray(container.ports)) {
        for (const port of container.ports) {
          if (isRecord(port) && port.hostPort !== undefined && port.hostPort !== 0) {
            violation(where, 'host ports', `hostPort ${String(port.hostPort)} must be unset or 0`);
          }
        }
      }
    }
  }
}

function checkSeccomp(profile: unknown, where: string, level: string, violation: Violation): void {
  if (profile === undefined) return;
  const type = isRecord(profile) ? profile.type : undefined;
  if (type !== 'RuntimeDefault' && type !== 'Localhost') {
    violation(where, 'seccomp', `${level} seccompProfile.type is ${JSON.stringify(type)}; must be RuntimeDefault or Localhost`);
  }
}

// --- shared ----------------------------------------------------------------------------------------------------------

function* podSpecs(objects: unknown[]): Generator<{ obj: ManifestObject; ref: string; podSpec: Record<string, any>; path: string }> {
  let index = 0;
  for (const value of objects) {
    const i = index++;
    if (!isRecord(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') continue;
    const obj = value as ManifestObject;
    const podSpecPath = POD_SPEC_PATHS[`${obj.apiVersion}/${obj.kind}`];
    if (!podSpecPath) continue;
    const podSpec = at(obj, podSpecPath);
    if (isRecord(podSpec)) yield { obj, ref: objectRef(obj, i), podSpec, path: `/${podSpecPath.join('/')}` };
  }
}

function objectRef(obj: ManifestObject, index: number): string {
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  if (typeof name !== 'string') return `${obj.kind} #${index}`;
  return typeof namespace === 'string' ? `${obj.kind}/${namespace}/${name}` : `${obj.kind}/${name}`;
}

function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), value);
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Synthesizes a fresh chart built by `build` and validates every object it emits; returns the objects. */
export function synthValidated(build: (chart: Chart) => void, namespace?: string): any[] {
  const chart = new Chart(new App(), 'test', { namespace });
  build(chart);
  const objects = chart.toJson();
  expectValidManifests(objects);
  return objects;
}
