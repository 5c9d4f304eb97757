import { Construct } from 'constructs';

/**
 * Memoizes a validation's result for the rest of one synthesis.
 *
 * cdk8s validates the whole app again for every chart it renders (`Chart.toJson` -> `App._synthChart` -> `validate`),
 * so an app of N charts runs each validation N + 1 times; a validation that renders objects makes synthesis quadratic.
 * Synthesis is synchronous, so the result is kept until the next microtask, and only while the watched constructs keep
 * the same number of children (adding a workload between two synths in the same tick recomputes). Counting direct
 * children keeps the check itself O(1); walking the tree on every pass was the quadratic cost again.
 */
export function memoizeForSynthesis<T>(watched: readonly Construct[], compute: () => T): () => T {
  let cached: { value: T; key: string } | undefined;
  return () => {
    const key = watched.map((c) => c.node.children.length).join(',');
    if (cached && cached.key === key) return cached.value;
    cached = { value: compute(), key };
    queueMicrotask(() => { cached = undefined; });
    return cached.value;
  };
}

const renders = new WeakMap<object, unknown>();

/**
 * An object's JSON for validations, rendered at most once per synthesis and shared by every validation that reads it
 * (the limits policy and the guard's quota check). What cdk8s writes is always rendered fresh.
 */
export function renderForValidation(object: { toJson(): unknown }): any {
  if (renders.has(object)) return renders.get(object);
  const json = object.toJson();
  renders.set(object, json);
  queueMicrotask(() => renders.delete(object));
  return json;
}
