import * as fs from 'fs';
import * as path from 'path';
import { FixtureSchema } from './dts-to-schema';

/** One CRD schema fixture: where it came from and the schema of the whole object. */
export interface CrdFixture {
  readonly apiVersion: string;
  readonly kind: string;
  /** Package and upstream CRD the schema was derived from. */
  readonly source: string;
  /** How to regenerate it. */
  readonly regenerate: string;
  readonly schema: FixtureSchema;
}

/** Where each CRD schema comes from: a kubernetes-models package's declaration of `I<Kind>`. */
export interface CrdSource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly package: string;
  readonly version: string;
  /** Declaration file inside the package. */
  readonly declaration: string;
  readonly upstream: string;
  /** Installed as a devDependency (CommonJS) rather than unpacked from `npm pack` into a temporary directory. */
  readonly installed: boolean;
}

export const CRD_SOURCES: readonly CrdSource[] = [
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    package: '@kubernetes-models/prometheus-operator',
    version: '4.4.4',
    declaration: 'monitoring.coreos.com/v1/PrometheusRule.d.ts',
    upstream: 'prometheus-operator v0.65.1 stripped-down-crds.yaml',
    installed: true,
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    package: '@kubernetes-models/prometheus-operator',
    version: '4.4.4',
    declaration: 'monitoring.coreos.com/v1/ServiceMonitor.d.ts',
    upstream: 'prometheus-operator v0.65.1 stripped-down-crds.yaml',
    installed: true,
  },
  {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    package: '@kubernetes-models/prometheus-operator',
    version: '4.4.4',
    declaration: 'monitoring.coreos.com/v1alpha1/AlertmanagerConfig.d.ts',
    upstream: 'prometheus-operator v0.65.1 stripped-down-crds.yaml',
    installed: true,
  },
  {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    package: '@kubernetes-models/autoscaler',
    version: '3.3.4',
    declaration: 'autoscaling.k8s.io/v1/VerticalPodAutoscaler.d.ts',
    upstream: 'kubernetes/autoscaler vertical-pod-autoscaler v0.13.0 vpa-v1-crd-gen.yaml',
    installed: true,
  },
  {
    apiVersion: 'grafana.integreatly.org/v1beta1',
    kind: 'GrafanaDashboard',
    package: '@kubernetes-models/grafana-operator',
    version: '3.0.0',
    declaration: 'grafana.integreatly.org/v1beta1/GrafanaDashboard.d.ts',
    upstream: 'grafana/grafana-operator v5.22.2 deploy/kustomize/base/crds.yaml',
    // 3.0.0 is ESM only and fails under ts-jest, so only its schema is kept, as a fixture.
    installed: false,
  },
];

export const SCHEMA_DIR = __dirname;

/** File name of the fixture for one apiVersion/kind. */
export function fixtureFileName(apiVersion: string, kind: string): string {
  return `${apiVersion.replace('/', '_')}_${kind}.json`;
}

/** Reads every committed CRD fixture. */
export function loadCrdFixtures(): CrdFixture[] {
  return CRD_SOURCES.map((s) =>
    JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, fixtureFileName(s.apiVersion, s.kind)), 'utf8')) as CrdFixture,
  );
}
