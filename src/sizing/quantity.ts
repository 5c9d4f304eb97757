import { InputError } from './errors';

/** Which way a conversion to a coarser unit rounds. */
export type Rounding = 'floor' | 'ceil';

const KUBERNETES_MEMORY_ACCEPTED = 'a Kubernetes memory quantity such as 512Mi, 1.5Gi, 2G, 1e9 or 1073741824 (bytes)';
const RAM_ACCEPTED = `${KUBERNETES_MEMORY_ACCEPTED}, or a PostgreSQL-style size such as 8GB, 8192MB or 8GiB`;

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18 };
/** PostgreSQL's and PGTune's convention: 1GB = 1024MB = 2^30 bytes. `GiB` and friends are accepted as synonyms. */
const POSTGRES_SUFFIXES: Record<string, number> = {
  B: 1,
  kB: 2 ** 10,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|([A-Za-z]*))$/;

/** Which spellings `Memory.parse` accepts. */
export type MemoryNotation = 'kubernetes' | 'ram';

/**
 * A byte-exact amount of memory.
 *
 * cdk8s's `Size` has no byte unit and rounds to whole MiB; sizing needs exact bytes, so memguard keeps its own type and
 * converts at the construct edge.
 */
export class Memory {
  /** An exact number of bytes (a whole, non-negative number). */
  public static bytes(bytes: number, field = 'memory'): Memory {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new InputError({ field, value: bytes, accepted: 'a whole, non-negative number of bytes' });
    }
    return new Memory(bytes);
  }

  /** The larger of the two. */
  public static max(a: Memory, b: Memory): Memory { return a.bytes >= b.bytes ? a : b; }
  /** The smaller of the two. */
  public static min(a: Memory, b: Memory): Memory { return a.bytes <= b.bytes ? a : b; }
  /** The sum of all. */
  public static sum(values: readonly Memory[]): Memory { return new Memory(values.reduce((t, v) => t + v.bytes, 0)); }

  /** `n` KiB. */
  public static kibibytes(n: number): Memory { return Memory.bytes(Math.round(n * 2 ** 10)); }
  /** `n` MiB. */
  public static mebibytes(n: number): Memory { return Memory.bytes(Math.round(n * 2 ** 20)); }
  /** `n` GiB. */
  public static gibibytes(n: number): Memory { return Memory.bytes(Math.round(n * 2 ** 30)); }

  /**
   * Parse a memory size.
   *
   * `kubernetes` (the default) accepts Kubernetes quantities: binary suffixes (`Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`),
   * decimal ones (`k`, `M`, `G`, `T`, `P`, `E`), exponents (`1e9`) and plain bytes. A fraction of a byte rounds up, as
   * the API server does. The milli suffix (`500m`, half a byte) is rejected: it is almost always a typo for `Mi`.
   *
   * `ram` also accepts PostgreSQL's spelling, where `GB` and `MB` are binary (1GB = 1024MB = 2^30 bytes), and `GiB`.
   *
   * @param text the size as written
   * @param field the input field it came from, named in any error
   */
  public static parse(text: string, field = 'memory', notation: MemoryNotation = 'kubernetes'): Memory {
    const accepted = notation === 'ram' ? RAM_ACCEPTED : KUBERNETES_MEMORY_ACCEPTED;
    if (typeof text !== 'string') {
      if (typeof text === 'number') return Memory.bytes(text, field);
      throw new InputError({ field, value: text, accepted });
    }
    const match = QUANTITY.exec(text.trim());
    if (!match) throw new InputError({ field, value: text, accepted, reason: 'not a size' });
    const [, sign, digits, exponent, suffix] = match;
    if (sign === '-') throw new InputError({ field, value: text, accepted, reason: 'memory cannot be negative' });
    let multiplier: number | undefined;
    if (exponent !== undefined) {
      multiplier = 10 ** Number(exponent.slice(1));
    } else if (suffix === 'm') {
      throw new InputError({ field, value: text, accepted, reason: '"m" means thousandths of a byte; did you mean "Mi"?' });
    } else {
      multiplier = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix];
      if (multiplier === undefined && notation === 'ram') multiplier = POSTGRES_SUFFIXES[suffix];
    }
    if (multiplier === undefined) {
      throw new InputError({ field, value: text, accepted, reason: `unknown unit "${suffix}"` });
    }
    const bytes = Math.ceil(exactProduct(digits, multiplier));
    if (!Number.isSafeInteger(bytes)) throw new InputError({ field, value: text, accepted, reason: 'too large' });
    return new Memory(bytes);
  }

  private constructor(
    /** The exact number of bytes. */
    public readonly bytes: number,
  ) {}

  /** Whole MiB, rounding as asked (a limit usually rounds down, a request or a need up). */
  public toMebibytes(rounding: Rounding): number { return round(this.bytes / 2 ** 20, rounding); }
  /** Whole KiB, rounding as asked. */
  public toKibibytes(rounding: Rounding): number { return round(this.bytes / 2 ** 10, rounding); }
  /** MiB as a fraction, for display and ratios. */
  public get mebibytes(): number { return this.bytes / 2 ** 20; }
  /** GiB as a fraction, for display and ratios. */
  public get gibibytes(): number { return this.bytes / 2 ** 30; }

  /** `this + other`. */
  public plus(other: Memory): Memory { return new Memory(this.bytes + other.bytes); }
  /** `this - other`; throws if the result would be negative. */
  public minus(other: Memory): Memory {
    if (other.bytes > this.bytes) throw new RangeError(`cannot subtract ${other} from ${this}`);
    return new Memory(this.bytes - other.bytes);
  }
  /** `this * factor`, rounded to whole bytes as asked. */
  public times(factor: number, rounding: Rounding = 'floor'): Memory {
    if (!Number.isFinite(factor) || factor < 0) throw new RangeError(`cannot scale memory by ${factor}`);
    return new Memory(round(this.bytes * factor, rounding));
  }
  /** Rounds down to a whole multiple of `unit` (for example to whole MiB for a runtime flag). */
  public floorTo(unit: Memory): Memory { return new Memory(Math.floor(this.bytes / unit.bytes) * unit.bytes); }
  /** Rounds up to a whole multiple of `unit`. */
  public ceilTo(unit: Memory): Memory { return new Memory(Math.ceil(this.bytes / unit.bytes) * unit.bytes); }
  /** `this / other` as a plain ratio. */
  public ratioTo(other: Memory): number { return this.bytes / other.bytes; }

  /** Negative, zero or positive, as `this` is below, equal to or above `other`. */
  public compareTo(other: Memory): number { return Math.sign(this.bytes - other.bytes); }
  public isLessThan(other: Memory): boolean { return this.bytes < other.bytes; }
  public isGreaterThan(other: Memory): boolean { return this.bytes > other.bytes; }
  public equals(other: Memory): boolean { return this.bytes === other.bytes; }

  /**
   * The canonical Kubernetes quantity: the largest binary suffix that divides exactly, else the largest exact decimal
   * suffix, else plain bytes. `Memory.parse(m.toString()).equals(m)` always holds.
   */
  public toString(): string { return formatMemory(this.bytes); }
  public toJSON(): string { return this.toString(); }

  /** For humans: `1.5 GiB`, `300 MiB`, `512 KiB`, with at most two decimals. */
  public toHuman(): string {
    const units: Array<[string, number]> = [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
    for (const [unit, size] of units) {
      if (this.bytes >= size) return `${Number((this.bytes / size).toFixed(2))} ${unit}`;
    }
    return `${this.bytes} B`;
  }
}

/**
 * Format a byte count as a canonical Kubernetes quantity: the shortest exact spelling, binary on a tie (2Gi, 2G, 1536Mi).
 */
function formatMemory(bytes: number): string {
  if (bytes === 0) return '0';
  const exact = (suffixes: Record<string, number>, order: string[]): string | undefined => {
    const suffix = order.find((s) => bytes % suffixes[s] === 0);
    return suffix === undefined ? undefined : `${bytes / suffixes[suffix]}${suffix}`;
  };
  const binary = exact(BINARY_SUFFIXES, ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']);
  const decimal = exact(DECIMAL_SUFFIXES, ['E', 'P', 'T', 'G', 'M', 'k']);
  const candidates = [binary, decimal, String(bytes)].filter((c): c is string => c !== undefined);
  return candidates.reduce((best, c) => (c.length < best.length ? c : best));
}

/**
 * `digits * multiplier` without binary floating-point error for the decimal digits ("1.1" * 1e9 is exactly 1.1e9).
 */
function exactProduct(digits: string, multiplier: number): number {
  const [whole, fraction = ''] = digits.split('.');
  const scale = 10 ** fraction.length;
  const numerator = Number(`${whole || '0'}${fraction}`);
  // multiplier / scale is exact when multiplier is a power of ten at least as large as scale.
  if (multiplier % scale === 0) return numerator * (multiplier / scale);
  return (numerator * multiplier) / scale;
}

function round(value: number, rounding: Rounding): number {
  // Guard against 1023.9999999 from float division of exact values.
  const nearest = Math.round(value);
  if (Math.abs(value - nearest) < 1e-9) return nearest;
  return rounding === 'floor' ? Math.floor(value) : Math.ceil(value);
}

const CPU_ACCEPTED = 'a Kubernetes CPU quantity such as 250m, 0.5, 2 or 1.5 (cores)';

/** An amount of CPU in whole millicores (the finest unit Kubernetes keeps). */
export class Cpu {
  /** `n` millicores. */
  public static millis(n: number, field = 'cpu'): Cpu {
    if (!Number.isSafeInteger(n) || n < 0) throw new InputError({ field, value: n, accepted: 'a whole, non-negative number of millicores' });
    return new Cpu(n);
  }

  /** `n` cores (fractions allowed down to 1m). */
  public static cores(n: number, field = 'cpu'): Cpu {
    if (!Number.isFinite(n) || n < 0) throw new InputError({ field, value: n, accepted: 'a non-negative number of cores' });
    return Cpu.millis(Math.round(n * 1000), field);
  }

  /** Parse `250m`, `0.5`, `2`. A fraction finer than 1m rounds up, as the API server does. */
  public static parse(text: string, field = 'cpu'): Cpu {
    if (typeof text === 'number') return Cpu.cores(text, field);
    const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
    if (!match) throw new InputError({ field, value: text, accepted: CPU_ACCEPTED, reason: 'not a CPU quantity' });
    const [, sign, digits, exponent, suffix] = match;
    if (sign === '-') throw new InputError({ field, value: text, accepted: CPU_ACCEPTED, reason: 'CPU cannot be negative' });
    let millis: number;
    if (exponent !== undefined) millis = exactProduct(digits, 10 ** Number(exponent.slice(1))) * 1000;
    else if (suffix === 'm') millis = exactProduct(digits, 1);
    else if (suffix === '') millis = exactProduct(digits, 1000);
    else throw new InputError({ field, value: text, accepted: CPU_ACCEPTED, reason: `unknown unit "${suffix}"` });
    // Absorb float noise from the decimal scaling before rounding up; max() also turns -0 into 0.
    return new Cpu(Math.max(0, Math.ceil(millis - 1e-9)));
  }

  private constructor(
    /** Whole millicores. */
    public readonly millis: number,
  ) {}

  /** Cores as a fraction. */
  public get cores(): number { return this.millis / 1000; }
  /** Whole cores, rounding as asked (a worker count rounds down, a request up). */
  public toCores(rounding: Rounding): number { return round(this.millis / 1000, rounding); }

  /** `2` for whole cores, else `250m`. */
  public toString(): string { return this.millis % 1000 === 0 ? String(this.millis / 1000) : `${this.millis}m`; }
  public toJSON(): string { return this.toString(); }
  public equals(other: Cpu): boolean { return this.millis === other.millis; }
}
