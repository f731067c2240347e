// Categorical space: named discrete parameters (e.g. kernel configurations) with boolean constraints over them.
import { z } from 'zod';
import { lazySchema } from '../core/lazy-schema.js';
import { binomialPositions, randomInt } from '../core/rng.js';
import { ConfigError } from '../core/errors.js';
import type { Rng, Space } from '../core/types.js';
import { hashCanonical } from '../core/hash.js';

/** One value of a parameter. */
export type CategoricalValue = string | number | boolean;
/** A configuration: one allowed value per parameter. Plain JSON data. */
export type CategoricalGenome = Record<string, CategoricalValue>;

const valueSchema = lazySchema(() => z.union([z.string(), z.number(), z.boolean()]));

/** Options of the `categorical` space (the config object minus `type`). */
export const categoricalOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      /** Parameter name → its allowed values, in order (neighbour moves follow this order for numeric lists). */
      params: z
        .record(
          z
            .string()
            .min(1)
            .refine((name) => name !== '__proto__', { message: 'a parameter may not be named __proto__' }),
          z
            .array(valueSchema)
            .min(1, { message: 'a parameter needs at least one value' })
            .refine((values) => new Set(values).size === values.length, {
              message: 'values of a parameter must be distinct',
            }),
        )
        .refine((params) => Object.keys(params).length > 0, { message: 'params must name at least one parameter' }),
      /**
       * Boolean JavaScript expressions over the parameter names, e.g. "block_x * block_y <= 1024".
       * They are compiled with `new Function`: config files are trusted like plug-in modules.
       */
      constraints: z.array(z.string().min(1)).default([]),
      mutation: z
        .strictObject({
          /** Probability that a changed numeric parameter moves to an adjacent value rather than any other value. */
          neighbourRate: z.number().min(0).max(1).default(0.5),
        })
        .default({ neighbourRate: 0.5 }),
    })
    .superRefine(checkConstraints),
);
export type CategoricalOptions = z.infer<typeof categoricalOptionsSchema>;
export type CategoricalOptionsInput = z.input<typeof categoricalOptionsSchema>;

/** A categorical space. Every genome returned by `sample`, `mutate` and `crossover` satisfies the constraints. */
export interface CategoricalSpace extends Space<CategoricalGenome> {
  /** Parameter names, in config order. */
  readonly params: readonly string[];
  crossover(a: CategoricalGenome, b: CategoricalGenome, rng: Rng): CategoricalGenome;
  /** True when every parameter holds an allowed value and every constraint holds. */
  isValid(g: CategoricalGenome): boolean;
  /** Number of configurations in the full product of the value lists, ignoring constraints. */
  size(): number;
}

/** Attempts at drawing a valid configuration before `sample` gives up. */
const SAMPLE_TRIES = 10_000;
/** Attempts at a valid child before `mutate`/`crossover` fall back to a copy of the (first) parent. */
const VARIATION_TRIES = 1_000;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

type CompiledConstraint = (...values: CategoricalValue[]) => unknown;

interface Param {
  readonly name: string;
  readonly values: readonly CategoricalValue[];
  readonly index: ReadonlyMap<CategoricalValue, number>;
  /** Numeric lists are ordered (as given), so "adjacent" means something. */
  readonly ordered: boolean;
}

/**
 * Builds a categorical space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate.
 * @throws {Error} when a constraint does not compile or refers to an unknown name, naming the constraint.
 */
export function createCategoricalSpace(input: CategoricalOptionsInput): CategoricalSpace {
  const options = categoricalOptionsSchema.parse(input);
  const params: Param[] = Object.entries(options.params).map(([name, values]) => ({
    name,
    values,
    index: new Map(values.map((v, i) => [v, i])),
    ordered: values.every((v) => typeof v === 'number'),
  }));
  const names = params.map((p) => p.name);
  const changeable = params.filter((p) => p.values.length > 1);
  const { neighbourRate } = options.mutation;
  const constraints = options.constraints;
  const compiled = constraints.map((expr) => compileConstraint(expr, names));
  const values: CategoricalValue[] = new Array<CategoricalValue>(params.length); // scratch: filled and consumed per check

  const satisfies = (g: CategoricalGenome): boolean => {
    if (compiled.length === 0) return true;
    for (let i = 0; i < params.length; i++) values[i] = g[params[i]!.name]!;
    for (let c = 0; c < compiled.length; c++) {
      let ok: unknown;
      try {
        ok = compiled[c]!(...values);
      } catch (error) {
        throw new ConfigError(`categorical: ${evaluationFailure(constraints[c]!, error, names)}`);
      }
      if (!ok) return false;
    }
    return true;
  };

  const copy = (g: CategoricalGenome): CategoricalGenome => {
    const out: CategoricalGenome = {};
    for (const p of params) out[p.name] = g[p.name]!;
    return out;
  };

  const mutateOnce = (parent: CategoricalGenome, rng: Rng): CategoricalGenome => {
    const child = copy(parent);
    const chosen = binomialPositions(rng, changeable.length, 1 / changeable.length);
    if (chosen.length === 0) chosen.push(randomInt(rng, changeable.length)); // at least one parameter changes
    for (const c of chosen) {
      const p = changeable[c]!;
      const k = p.values.length;
      const current = p.index.get(child[p.name]!) ?? randomInt(rng, k);
      let next: number;
      if (p.ordered && rng() < neighbourRate) {
        next = current === 0 ? 1 : current === k - 1 ? k - 2 : rng() < 0.5 ? current - 1 : current + 1;
      } else {
        next = randomInt(rng, k - 1);
        if (next >= current) next++; // uniform over the other values
      }
      child[p.name] = p.values[next]!;
    }
    return child;
  };

  const space: CategoricalSpace = {
    name: 'categorical',
    params: names,

    sample(rng) {
      for (let attempt = 0; attempt < SAMPLE_TRIES; attempt++) {
        const g: CategoricalGenome = {};
        for (const p of params) g[p.name] = p.values[randomInt(rng, p.values.length)]!;
        if (satisfies(g)) return g;
      }
      throw new ConfigError(
        `categorical: no configuration satisfying the constraints found in ${SAMPLE_TRIES} random draws; ` +
          `the constraints are too tight or unsatisfiable: ${constraints.map((c) => `'${c}'`).join(', ')}`,
        [],
        'Loosen or remove a constraint, or add values that satisfy them.',
      );
    },

    mutate(parent, rng) {
      if (changeable.length === 0) return copy(parent);
      for (let attempt = 0; attempt < VARIATION_TRIES; attempt++) {
        const child = mutateOnce(parent, rng);
        if (satisfies(child)) return child;
      }
      return copy(parent);
    },

    crossover(a, b, rng) {
      for (let attempt = 0; attempt < VARIATION_TRIES; attempt++) {
        const child: CategoricalGenome = {};
        for (const p of params) child[p.name] = rng() < 0.5 ? a[p.name]! : b[p.name]!;
        if (satisfies(child)) return child;
      }
      return copy(a);
    },

    key(g) {
      // stableStringify sorts keys, so the key does not depend on parameter order in the config.
      return hashCanonical(copy(g));
    },

    describe(g) {
      return params.map((p) => `${p.name}=${String(g[p.name])}`).join(', ');
    },

    encode(g) {
      return copy(g);
    },

    decode(x) {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) {
        throw new TypeError(
          `categorical.decode: expected an object with keys ${names.join(', ')}, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`,
        );
      }
      const record = x as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!params.some((p) => p.name === key))
          throw new Error(`categorical.decode: unknown parameter ${JSON.stringify(key)}`);
      }
      const g: CategoricalGenome = {};
      for (const p of params) {
        const v = record[p.name];
        if (!p.index.has(v as CategoricalValue)) {
          throw new Error(
            `categorical.decode: parameter ${JSON.stringify(p.name)} is ${JSON.stringify(v) ?? 'missing'}; ` +
              `allowed: ${p.values.map((a) => JSON.stringify(a)).join(', ')}`,
          );
        }
        g[p.name] = v as CategoricalValue;
      }
      return g;
    },

    isValid(g) {
      for (const p of params) if (!p.index.has(g[p.name]!)) return false;
      return satisfies(g);
    },

    size() {
      return params.reduce((n, p) => n * p.values.length, 1);
    },
  };
  return space;
}

/** @throws {Error} naming the constraint when it does not compile. */
function compileConstraint(expr: string, names: readonly string[]): CompiledConstraint {
  // Names that are not identifiers cannot appear in an expression; leaving them out keeps new Function valid.
  const argNames = names.map((name, i) => (IDENTIFIER.test(name) && !isReservedWord(name) ? name : `__param${i}__`));
  try {
    return new Function(...argNames, `"use strict"; return (${expr});`) as CompiledConstraint;
  } catch (error) {
    throw new Error(`constraint '${expr}' does not compile: ${(error as Error).message}`, { cause: error });
  }
}

function evaluationFailure(expr: string, error: unknown, names: readonly string[]): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `constraint '${expr}' failed to evaluate: ${reason}. Constraints may use only the parameter names: ${names.join(', ')}`;
}

/**
 * Config-time check of the constraints: each must compile and evaluate on the first value of every parameter,
 * which catches unknown names before a run starts (short-circuited parts are caught at their first evaluation).
 */
function checkConstraints(
  options: { params: Record<string, CategoricalValue[]>; constraints: string[] },
  ctx: z.RefinementCtx,
): void {
  const names = Object.keys(options.params);
  const firstValues = names.map((name) => options.params[name]![0]!);
  options.constraints.forEach((expr, i) => {
    let compiled: CompiledConstraint;
    try {
      compiled = compileConstraint(expr, names);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message, path: ['constraints', i] });
      return;
    }
    try {
      compiled(...firstValues);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: evaluationFailure(expr, error, names), path: ['constraints', i] });
    }
  });
}

function isReservedWord(name: string): boolean {
  try {
    new Function(name, '"use strict";');
    return false;
  } catch {
    return true;
  }
}
