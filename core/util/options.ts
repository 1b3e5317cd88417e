/**
 * @module util/options — one mechanism to declare, default, validate and freeze option objects.
 *
 * Each component declares its options once as a {@link OptionSchema}: for every key, a
 * default and a validator. {@link resolveOptions} shallow-copies the user's object, applies
 * defaults with `??` semantics (so `0` and `false` survive), validates every value, rejects
 * unknown keys (naming the nearest known one), accepts the names of socket.io/engine.io
 * options we deliberately do not implement with a one-time warning, and returns a frozen
 * object. Lower layers only ever see resolved options.
 */
import { createError } from "../errors.js";

/** Checks one option value; throws a SKT_ERR_OPTIONS_* error naming the option when wrong. */
export type OptionCheck<T> = (value: unknown, name: string) => T;

/** One option: its default, and how to validate a user value. */
export interface OptionSpec<T> {
  readonly default: T;
  readonly check: OptionCheck<T>;
}

/** A schema: one spec per key of the resolved options type. */
export type OptionSchema<T> = { readonly [K in keyof T]-?: OptionSpec<T[K]> };

/** How a value is named in an error message (`string x`, `an object`, `null`…). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof RegExp) return "a RegExp";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** Validators for the usual shapes. Each returns the value, typed, or throws. */
export const is = {
  number(min = -Infinity, max = Infinity): OptionCheck<number> {
    return (v, name) => {
      if (typeof v !== "number" || Number.isNaN(v)) {
        throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "a number", describeValue(v));
      }
      if (v < min || v > max) {
        throw createError("SKT_ERR_OPTIONS_OUT_OF_RANGE", name, `between ${min} and ${max}`, String(v));
      }
      return v;
    };
  },
  boolean(): OptionCheck<boolean> {
    return (v, name) => {
      if (typeof v !== "boolean") {
        throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "a boolean", describeValue(v));
      }
      return v;
    };
  },
  string(): OptionCheck<string> {
    return (v, name) => {
      if (typeof v !== "string") {
        throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "a string", describeValue(v));
      }
      return v;
    };
  },
  oneOf<const T extends readonly (string | number | boolean)[]>(...allowed: T): OptionCheck<T[number]> {
    return (v, name) => {
      if (!allowed.includes(v as T[number])) {
        throw createError(
          "SKT_ERR_OPTIONS_INVALID_TYPE",
          name,
          `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
          describeValue(v),
        );
      }
      return v as T[number];
    };
  },
  fn<F extends (...args: never[]) => unknown>(): OptionCheck<F> {
    return (v, name) => {
      if (typeof v !== "function") {
        throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "a function", describeValue(v));
      }
      return v as F;
    };
  },
  object<O extends object>(): OptionCheck<O> {
    return (v, name) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, "an object", describeValue(v));
      }
      return v as O;
    };
  },
  /** Accepts `undefined`/`null` as "not set", otherwise defers to `inner`. */
  optional<T>(inner: OptionCheck<T>): OptionCheck<T | undefined> {
    return (v, name) => (v === undefined || v === null ? undefined : inner(v, name));
  },
  /** Tries each check in turn; the first that accepts wins. */
  anyOf<T>(expected: string, ...checks: OptionCheck<T>[]): OptionCheck<T> {
    return (v, name) => {
      for (const check of checks) {
        try {
          return check(v, name);
        } catch {
          // try the next shape
        }
      }
      throw createError("SKT_ERR_OPTIONS_INVALID_TYPE", name, expected, describeValue(v));
    };
  },
  /** Anything: for pass-through values validated elsewhere (e.g. a user-supplied class). */
  any<T>(): OptionCheck<T> {
    return (v) => v as T;
  },
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `name`, if it is close enough to be a plausible typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

const warned = new Set<string>();

/**
 * Resolves user options against a schema.
 *
 * @param schema the component's declared options
 * @param user the user's object (not mutated)
 * @param ignored names of socket.io/engine.io options accepted but not implemented (warned once)
 * @param passthrough keys that belong to another layer (validated there): accepted without a check here
 * @returns a frozen object with every key of the schema set
 * @throws SKT_ERR_OPTIONS_UNKNOWN, SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE
 */
export function resolveOptions<T extends object>(
  schema: OptionSchema<T>,
  user: object | undefined,
  ignored: readonly string[] = [],
  passthrough: readonly string[] = [],
): Readonly<T> {
  if (user !== undefined && (typeof user !== "object" || user === null)) {
    throw createError("SKT_ERR_INVALID_ARG", "options", "an object");
  }
  const input: Record<string, unknown> = { ...(user as Record<string, unknown> | undefined) };
  const known = Object.keys(schema);
  for (const key of Object.keys(input)) {
    if (key in schema || passthrough.includes(key)) continue;
    if (ignored.includes(key)) {
      if (!warned.has(key)) {
        warned.add(key);
        process.emitWarning(`option "${key}" is accepted for compatibility but ignored by Socketeer`, {
          code: "SKT_WARN_OPTION_IGNORED",
        });
      }
      continue;
    }
    if (input[key] === undefined) continue;
    throw createError("SKT_ERR_OPTIONS_UNKNOWN", key, nearest(key, [...known, ...passthrough]));
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const spec = (schema as Record<string, OptionSpec<unknown>>)[key]!;
    const value = input[key];
    out[key] = value === undefined ? spec.default : spec.check(value, key);
  }
  return Object.freeze(out) as Readonly<T>;
}
