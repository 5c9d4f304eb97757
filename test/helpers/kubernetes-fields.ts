import * as fs from 'fs';
import * as path from 'path';

/**
 * What a field of a built-in Kubernetes type holds, as far as the strict unknown-field check needs to know:
 * a nested type, a list of one, a map of one, or a value whose inside is not checked here (scalars, quantities,
 * int-or-string, free-form JSON; kubernetes-models checks their types).
 */
export type FieldShape =
  | { readonly kind: 'value' }
  | { readonly kind: 'quantity' }
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'list'; readonly type: string }
  | { readonly kind: 'map'; readonly type?: string; readonly quantities?: boolean };

/** Field map of the Kubernetes 1.28 API: type name -> JSON field name -> shape; and apiVersion/kind -> type name. */
export interface KubernetesFieldMap {
  readonly types: ReadonlyMap<string, ReadonlyMap<string, FieldShape>>;
  /** `apps/v1/Deployment` -> the type of the whole object (its `apiVersion` and `kind` fields included). */
  readonly kinds: ReadonlyMap<string, string>;
}

let cached: KubernetesFieldMap | undefined;

/**
 * The field names of every built-in Kubernetes 1.28 type. kubernetes-models 4.x ships only compiled validators (no
 * JSON schema to walk) and follows a newer Kubernetes; cdk8s-plus-28's generated `k8s.js` was generated from the 1.28
 * OpenAPI document and spells out every JSON field name in its `toJson_<Type>` functions, so we read it from there.
 */
export function kubernetesFieldMap(): KubernetesFieldMap {
  if (!cached) {
    const base = path.join(path.dirname(require.resolve('cdk8s-plus-28')), 'imports', 'k8s');
    cached = parseFieldMap(fs.readFileSync(`${base}.js`, 'utf8'), fs.readFileSync(`${base}.d.ts`, 'utf8'));
  }
  return cached;
}

const FUNCTION = /^function toJson_(\w+)\(obj\) \{\n[^]*?\n {4}const result = \{\n([^]*?)\n {4}\};/gm;
const FIELD = /^ {8}'([^']+)': (.*obj\.(\w+).*),$/;
const INTERFACE = /^export interface (\w+) \{\n([^]*?)\n\}$/gm;
const QUANTITY_FIELD = /^ {4}readonly (\w+)\??: (?:Quantity|\{\n\s+\[key: string\]: Quantity;\n\s+\});$/gm;
const GVK = /^(Kube\w+)\.GVK = \{\n\s+apiVersion: '([^']+)',\n\s+kind: '([^']+)',\n\};/gm;

const SHAPES: Array<[RegExp, (type?: string) => FieldShape]> = [
  [/^obj\.\w+$/, () => ({ kind: 'value' })],
  [/^obj\.\w+\?\.(value|toISOString\(\))$/, () => ({ kind: 'value' })],
  [/^toJson_(\w+)\(obj\.\w+\)$/, (type) => ({ kind: 'type', type: type! })],
  [/^obj\.\w+\?\.map\(y => toJson_(\w+)\(y\)\)$/, (type) => ({ kind: 'list', type: type! })],
  [/^obj\.\w+\?\.map\(y => y\)$/, () => ({ kind: 'value' })],
  [/Object\.entries\(obj\.\w+\)\.reduce\(.*\[i\[0\]\]: toJson_(\w+)\(i\[1\]\) \}\), \{\}\)\)$/, (type) => ({ kind: 'map', type: type! })],
  [/Object\.entries\(obj\.\w+\)\.reduce\(.*\[i\[0\]\]: i\[1\](\?\.value|\?\.map\(y => y\))? \}\), \{\}\)\)$/, () => ({ kind: 'map' })],
];

/** Parses the generated `k8s.js` and `k8s.d.ts` of cdk8s-plus (the latter tells Quantity from IntOrString). */
export function parseFieldMap(source: string, declarations: string): KubernetesFieldMap {
  const quantityFields = new Set<string>();
  for (const [, type, body] of declarations.matchAll(INTERFACE)) {
    for (const [, field] of body.matchAll(QUANTITY_FIELD)) quantityFields.add(`${type}.${field}`);
  }
  const types = new Map<string, Map<string, FieldShape>>();
  for (const [, type, body] of source.matchAll(FUNCTION)) {
    const fields = new Map<string, FieldShape>();
    for (const line of body.split('\n')) {
      const field = FIELD.exec(line);
      if (!field) throw new Error(`k8s.js: unexpected line in toJson_${type}: ${line}`);
      let shape = shapeOf(field[2], type, field[1]);
      if (quantityFields.has(`${type}.${field[3]}`)) {
        shape = shape.kind === 'map' ? { kind: 'map', quantities: true } : { kind: 'quantity' };
      }
      fields.set(field[1], shape);
    }
    types.set(type, fields);
  }
  const kinds = new Map<string, string>();
  for (const [, className, apiVersion, kind] of source.matchAll(GVK)) {
    const props = types.get(`${className}Props`);
    if (!props || kind.endsWith('List')) continue;
    const whole = new Map(props);
    whole.set('apiVersion', { kind: 'value' });
    whole.set('kind', { kind: 'value' });
    types.set(className, whole);
    kinds.set(`${apiVersion}/${kind}`, className);
  }
  if (types.size < 400 || kinds.size < 50 || quantityFields.size < 15) {
    throw new Error(`k8s.js: parsed only ${types.size} types and ${kinds.size} kinds; has its format changed?`);
  }
  return { types, kinds };
}

function shapeOf(expression: string, type: string, field: string): FieldShape {
  for (const [pattern, make] of SHAPES) {
    const match = pattern.exec(expression);
    if (match) return make(match[1]);
  }
  throw new Error(`k8s.js: unknown shape of ${type}.${field}: ${expression}`);
}
