import { Construct } from 'constructs';

/**
 * Memoizes a validation's result for the rest of one synthesis.
 *
 * cdk8s validates the whole app again for every chart it renders (`Chart.toJson` -> `App._synthChart` -> `validate`),
 * so an app of N charts runs each validation N + 1 times; a validation that renders objects makes synthesis quadratic.
 * Synthesis is synchronous, so the result is kept until the next microtask, and only while `signature` returns the same
 * numbers (such as child counts: adding a workload between two synths in the same tick recomputes). The signature runs
 * on every one of those passes, so it must be O(1): walking the tree there was the quadratic cost again.
 */
export function memoizeForSynthesis<T>(signature: () => readonly number[], compute: () => T): () => T {
  let cached: { value: T; signature: readonly number[] } | undefined;
  return () => {
    const current = signature();
    if (cached && current.length === cached.signature.length && current.every((n, i) => n === cached!.signature[i])) return cached.value;
    cached = { value: compute(), signature: current };
    queueMicrotask(() => { cached = undefined; });
    return cached.value;
  };
}

/** How many direct children a construct has (a cheap signature for `memoizeForSynthesis`). */
export function childCount(construct: Construct): number {
  return construct.node.children.length;
}

/** An object cdk8s renders, with its own render kept once `renderForValidation` has seen it. */
interface Renderable {
  [OWN_RENDER]?: () => any;
  toJson(): any;
}

const OWN_RENDER = Symbol('memguard.ownRender');
const renders = new WeakMap<object, unknown>();

/**
 * An object's own JSON (before any `MemoryLimitPolicy` post-processing) for validations, rendered at most once per
 * synthesis and shared by every validation that reads it (the limits policy and the guard's quota check).
 *
 * cdk8s validates before it renders, so the same synthesis then renders the object again for its output. The object's
 * next `toJson` takes the validation's render instead (once: the next call renders afresh), so each guarded workload is
 * rendered once per synthesis rather than twice. Validations only read the render; nothing keeps it after the handover.
 */
export function renderForValidation(object: { toJson(): unknown }): any {
  if (renders.has(object)) return renders.get(object);
  const json = ownRender(object as Renderable)();
  renders.set(object, json);
  queueMicrotask(() => renders.delete(object));
  return json;
}

/** The object's own render; the first call makes its `toJson` take a pending validation render when there is one. */
function ownRender(object: Renderable): () => any {
  const existing = object[OWN_RENDER];
  if (existing) return existing;
  const own = object.toJson.bind(object);
  object[OWN_RENDER] = own;
  object.toJson = () => {
    if (!renders.has(object)) return own();
    const json = renders.get(object);
    renders.delete(object);
    return json;
  };
  return own;
}
