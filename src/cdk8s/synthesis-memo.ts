import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/*
 * One synthesis is the outermost `App.synth()`, `App.synthYaml()` or `Chart.toJson()` call on an app that holds a memguard
 * construct that validates (see `trackSynthesis`). cdk8s validates the whole app again for every chart it renders
 * (`Chart.toJson` -> `App._synthChart` -> `validate`), so an app of N charts runs each validation N + 1 times, and a
 * validation that renders objects makes synthesis quadratic. Within one synthesis no user code runs between those passes,
 * so validations and renders are shared for its length and dropped when it returns: the next synthesis, even in the same
 * tick, sees every change made in between.
 */
let depth = 0;
let current = 0;
/** Validation renders waiting to be handed to the same synthesis's output. */
const parked = new Map<object, unknown>();

function withinSynthesis<T>(run: () => T): T {
  if (depth === 0) current++;
  depth++;
  try {
    return run();
  } finally {
    if (--depth === 0) parked.clear();
  }
}

const tracked = new WeakSet<object>();

/** Makes every synthesis of the construct's app and chart one scope for `memoizeForSynthesis` and `renderForValidation`. */
export function trackSynthesis(construct: Construct): void {
  for (const [target, methods] of [[construct.node.root, ['synth', 'synthYaml']], [Chart.of(construct), ['toJson']]] as const) {
    if (tracked.has(target)) continue;
    tracked.add(target);
    for (const method of methods) {
      const original = (target as any)[method];
      if (typeof original !== 'function') continue;
      (target as any)[method] = (...args: unknown[]) => withinSynthesis(() => original.apply(target, args));
    }
  }
}

/**
 * Memoizes a validation's result for the rest of one synthesis. Outside a tracked synthesis (an object rendered on its
 * own) it computes every time.
 */
export function memoizeForSynthesis<T>(compute: () => T): () => T {
  let cached: { value: T; synthesis: number } | undefined;
  return () => {
    if (depth > 0 && cached?.synthesis === current) return cached.value;
    const value = compute();
    cached = depth > 0 ? { value, synthesis: current } : undefined;
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
export function renderForValidation(object: { toJson(): unknown }): any {
  const own = ownRender(object as Renderable);
  if (depth === 0) return own();
  if (parked.has(object)) return parked.get(object);
  const json = own();
  parked.set(object, json);
  return json;
}

/** The JSON the object will be emitted as (its post-processor applied), for validations. */
export function emittedRenderForValidation(object: { toJson(): unknown }): any {
  const json = renderForValidation(object);
  const postProcess = postProcessors.get(object);
  return postProcess ? postProcess(json) : json;
}

/** Whether the object's emitted JSON is post-processed already. */
export function hasRenderPostProcessor(object: object): boolean {
  return postProcessors.has(object);
}

/** Makes the object render as `postProcess(its own JSON)`: the first processor set stays. */
export function setRenderPostProcessor(object: { toJson(): unknown }, postProcess: (json: any) => any): void {
  if (postProcessors.has(object)) return;
  ownRender(object as Renderable);
  postProcessors.set(object, postProcess);
}

/** The object's own render; the first call hooks its `toJson` to take a parked render and post-process it. */
function ownRender(object: Renderable): () => any {
  const existing = object[OWN_RENDER];
  if (existing) return existing;
  const own = object.toJson.bind(object);
  object[OWN_RENDER] = own;
  object.toJson = () => {
    let json: any;
    if (depth > 0 && parked.has(object)) {
      json = parked.get(object);
      parked.delete(object);
    } else {
      json = own();
    }
    const postProcess = postProcessors.get(object);
    return postProcess ? postProcess(json) : json;
  };
  return own;
}
