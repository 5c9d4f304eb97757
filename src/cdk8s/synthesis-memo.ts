import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/*
 * One synthesis is the outermost `App.synth()`, `App.synthYaml()` or `Chart.toJson()` call on an app that holds a memguard
 * construct that validates (see `trackSynthesis`). cdk8s validates the whole app again for every chart it renders
 * (`Chart.toJson` -> `App._synthChart` -> `validate`), so an app of N charts runs each validation N + 1 times, and a
 * validation that renders objects makes synthesis quadratic. Within one synthesis no user code runs between those passes,
 * so validations and renders are shared for its length and dropped when it returns: the next synthesis, even in the same
 * tick, sees every change made in between. Each app keeps its own scope, so synthesizing another app meanwhile (from a
 * Lazy value, say) starts that app's own synthesis.
 */
interface SynthesisScope {
  /** How many tracked synthesis calls of this app are running (nested: App.synthYaml -> Chart.toJson). */
  depth: number;
  /** Which synthesis is running, or ran last. */
  synthesis: number;
  /** Validation renders waiting to be handed to the same synthesis's output. */
  readonly parked: Map<object, unknown>;
}

const scopes = new WeakMap<object, SynthesisScope>();

function scopeOf(construct: Construct): SynthesisScope {
  const root = construct.node.root;
  let scope = scopes.get(root);
  if (!scope) scopes.set(root, scope = { depth: 0, synthesis: 0, parked: new Map() });
  return scope;
}

function withinSynthesis<T>(scope: SynthesisScope, run: () => T): T {
  if (scope.depth === 0) scope.synthesis++;
  scope.depth++;
  try {
    return run();
  } finally {
    if (--scope.depth === 0) scope.parked.clear();
  }
}

const tracked = new WeakSet<object>();

/** Makes every synthesis of the construct's app and chart one scope. */
function trackSynthesis(construct: Construct): void {
  const scope = scopeOf(construct);
  for (const [target, methods] of [[construct.node.root, ['synth', 'synthYaml']], [Chart.of(construct), ['toJson']]] as const) {
    if (tracked.has(target)) continue;
    tracked.add(target);
    for (const method of methods) {
      const original = (target as any)[method];
      if (typeof original !== 'function') continue;
      (target as any)[method] = (...args: unknown[]) => withinSynthesis(scope, () => original.apply(target, args));
    }
  }
}

/**
 * Memoizes a validation of `owner` for the rest of one synthesis of its app, and makes the synthesis of the owner's app
 * and chart tracked. Outside a tracked synthesis (an object rendered on its own) it computes every time.
 */
export function memoizeForSynthesis<T>(owner: Construct, compute: () => T): () => T {
  trackSynthesis(owner);
  const scope = scopeOf(owner);
  let cached: { value: T; synthesis: number } | undefined;
  return () => {
    if (scope.depth > 0 && cached?.synthesis === scope.synthesis) return cached.value;
    const value = compute();
    cached = scope.depth > 0 ? { value, synthesis: scope.synthesis } : undefined;
    return value;
  };
}

/** An object cdk8s renders, with its own render kept once memguard hooks it. */
interface Renderable {
  [OWN_RENDER]?: () => any;
  toJson(): any;
}

const OWN_RENDER = Symbol('memguard.ownRender');
const postProcessors = new WeakMap<object, (json: any) => any>();

/**
 * An object's own JSON (before any post-processor) for validations, rendered at most once per synthesis and shared by
 * every validation that reads it (the limits policies and the guard's checks).
 *
 * cdk8s validates before it renders, so the same synthesis then renders the object again for its output. The object's
 * `toJson` takes the validation's render instead, once, so each guarded workload is rendered once per synthesis rather
 * than twice. Validations only read the render.
 */
function renderForValidation(object: Renderable & Construct): any {
  const own = ownRender(object);
  const { depth, parked } = scopeOf(object);
  if (depth === 0) return own();
  if (parked.has(object)) return parked.get(object);
  const json = own();
  parked.set(object, json);
  return json;
}

/** The JSON the object will be emitted as (its post-processor applied), for validations. */
export function emittedRenderForValidation(object: Renderable & Construct): any {
  return postProcessed(object, renderForValidation(object));
}

function postProcessed(object: object, json: any): any {
  const postProcess = postProcessors.get(object);
  return postProcess ? postProcess(json) : json;
}

/** Makes the object render as `postProcess(its own JSON)` (or as itself again, given `undefined`). */
export function setRenderPostProcessor(object: Renderable & Construct, postProcess: ((json: any) => any) | undefined): void {
  ownRender(object);
  if (postProcess) postProcessors.set(object, postProcess);
  else postProcessors.delete(object);
}

/** The object's own render; the first call hooks its `toJson` to take a parked render and post-process it. */
function ownRender(object: Renderable & Construct): () => any {
  const existing = object[OWN_RENDER];
  if (existing) return existing;
  const own = object.toJson.bind(object);
  object[OWN_RENDER] = own;
  const { parked } = scopeOf(object);
  object.toJson = () => {
    let json: any;
    if (parked.has(object)) {
      json = parked.get(object);
      parked.delete(object);
    } else {
      json = own();
    }
    return postProcessed(object, json);
  };
  return own;
}
