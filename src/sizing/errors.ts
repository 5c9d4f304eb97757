/**
 * The one error memguard throws for bad input.
 *
 * It names the field, shows the value that was given and says what is accepted, so that the message alone is enough
 * to fix the input. It is always thrown before anything is emitted.
 */
export class InputError extends Error {
  /** Combine several problems into one error that lists each of them (for checks that look at a whole namespace). */
  public static combine(context: string, problems: readonly InputError[]): InputError {
    if (problems.length === 1) return problems[0];
    const lines = problems.map((p) => `  - ${p.message}`).join('\n');
    return new InputError({
      field: problems.map((p) => p.field).join(', '),
      value: problems.map((p) => p.value),
      accepted: 'see each problem',
      message: `${context}: ${problems.length} problems:\n${lines}`,
      problems,
    });
  }

  /** The input field, as the user wrote it (for example `limit` or `containers[0].memoryLimit`). */
  public readonly field: string;
  /** The value that was rejected. */
  public readonly value: unknown;
  /** What would have been accepted, in the user's terms. */
  public readonly accepted: string;
  /** The individual problems, when this error combines several. */
  public readonly problems: readonly InputError[];

  constructor(details: {
    field: string;
    value: unknown;
    accepted: string;
    /** Why the value is wrong, when "invalid" says too little (for example "is below request 2Gi"). */
    reason?: string;
    /** A complete message, replacing the generated one. */
    message?: string;
    problems?: readonly InputError[];
  }) {
    const reason = details.reason ? `: ${details.reason}` : '';
    const stop = /[.?!]$/.test(reason) ? '' : '.';
    super(details.message ?? `Invalid ${details.field} ${showValue(details.value)}${reason}${stop} Accepted: ${details.accepted}.`);
    this.name = 'InputError';
    this.field = details.field;
    this.value = details.value;
    this.accepted = details.accepted;
    this.problems = details.problems ?? [this];
  }
}

/** How a rejected value is shown in a message: strings quoted, everything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'object' && value !== null && typeof (value as { toString: unknown }).toString === 'function'
    && (value as object).toString !== Object.prototype.toString) {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Throws unless `value` is a finite number in [min, max]; returns it. */
export function checkRange(field: string, value: number, min: number, max: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InputError({ field, value, accepted: `a number from ${min}${unit} to ${max}${unit}` });
  }
  return value;
}

/** Throws unless `value` is an integer in [min, max]; returns it. */
export function checkInteger(field: string, value: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const upper = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new InputError({ field, value, accepted: `a whole number ${upper}` });
  }
  return value;
}

/** Throws unless `value` is one of `allowed`; returns it narrowed to the union. */
export function checkOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError({ field, value, accepted: `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` });
  }
  return value as T;
}

/** A DNS-1123 label: lowercase letters, digits and `-`, starting and ending with a letter or digit, 1 to 63 characters. */
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Throws unless `value` is a valid namespace name (a DNS-1123 label, at most 63 characters); returns it.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export function checkNamespaceName(field: string, value: string): string {
  if (typeof value !== 'string' || !DNS_1123_LABEL.test(value)) {
    throw new InputError({
      field,
      value,
      accepted: 'a namespace name: a DNS-1123 label of 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    });
  }
  return value;
}
