// Expression space: Pruner-Zero-style symbolic pruning metrics over W, G, X (Dong et al., ICML 2024, arXiv:2406.02924),
// as flat prefix token lists with grow/full initialisation, subtree/point/hoist mutation, subtree crossover, and keys
// taken after Opposing Operation Simplification so equivalent formulas share one key.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import type { Rng, Space } from '../../core/types.js';
import { hashCanonical } from '../../core/hash.js';
import { rampedHalfAndHalf, smallestSize, smallestTree, type Alphabet } from './generate.js';
import { formulaOf } from './parse.js';
import { BINARY_OPS, DEFAULT_LEAVES, LEAVES, UNARY_OPS, type Op } from './primitives.js';
import { simplify } from './simplify.js';
import { assertGenome, type ExprGenome } from './tree.js';
import { mutateExpression, subtreeCrossover, type VariationSettings } from './variation.js';

export { BINARY_OPS, DEFAULT_LEAVES, LEAVES, PRIMITIVES, UNARY_OPS } from './primitives.js';
export type { BinaryOp, Leaf, Op, Primitive, UnaryOp } from './primitives.js';
export { depth, genomeProblem, size, subtreeEnd } from './tree.js';
export type { ExprGenome } from './tree.js';
export { evaluateExpression, tensor } from './semantics.js';
export type { ExpressionLeaves, Tensor } from './semantics.js';
export { formulaOf, parseFormula } from './parse.js';
export { simplify } from './simplify.js';

/** Deepest tree the options may ask for: a full binary tree of depth 12 already has 8191 nodes. */
const DEPTH_LIMIT = 12;

const distinct = <T>(values: readonly T[]): boolean => new Set(values).size === values.length;

/** Options of the `expression` space (the config object minus `type`). */
export const expressionOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      /** Leaves trees may use (default W, G, X; H needs an evaluator that provides it, e.g. pruning). */
      leaves: z
        .array(z.enum(LEAVES))
        .min(1)
        .refine(distinct, { message: 'leaves must be distinct' })
        .default([...DEFAULT_LEAVES]),
      /** Depth (edges from the root to the deepest leaf) of sampled trees: at least minDepth, at most maxDepth. */
      minDepth: z.number().int().min(0).max(DEPTH_LIMIT).default(2),
      maxDepth: z.number().int().min(0).max(DEPTH_LIMIT).default(4),
      /** Node cap of sampled, mutated and crossed-over trees (31 = a full binary tree of depth 4). */
      maxSize: z.number().int().positive().default(31),
      /** Unary operators trees may use (default: all 11). */
      unary: z.array(z.enum(UNARY_OPS)).refine(distinct, { message: 'unary operators must be distinct' }).optional(),
      /** Binary operators trees may use (default: all 4). */
      binary: z.array(z.enum(BINARY_OPS)).refine(distinct, { message: 'binary operators must be distinct' }).optional(),
      /** Key and describe the simplified form, so equivalent formulas share a key. */
      simplify: z.boolean().default(true),
    })
    .superRefine((options, ctx) => {
      if (options.minDepth > options.maxDepth) {
        ctx.addIssue({
          code: 'custom',
          path: ['minDepth'],
          message: `minDepth (${options.minDepth}) exceeds maxDepth (${options.maxDepth})`,
        });
      }
      const ops = [...(options.unary ?? UNARY_OPS), ...(options.binary ?? BINARY_OPS)];
      if (ops.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['unary'],
          message: 'unary and binary are both empty: trees need at least one operator',
        });
        return;
      }
      const smallest = smallestSize({ leaves: options.leaves, ops }, options.minDepth);
      if (options.maxSize < smallest) {
        ctx.addIssue({
          code: 'custom',
          path: ['maxSize'],
          message: `maxSize ${options.maxSize} is below ${smallest}, the size of the smallest tree of depth minDepth = ${options.minDepth}`,
        });
      }
    }),
);
export type ExpressionOptions = z.infer<typeof expressionOptionsSchema>;
export type ExpressionOptionsInput = z.input<typeof expressionOptionsSchema>;

/** An expression space. Genomes are raw (unsimplified) prefix lists; keys and descriptions use the canonical form. */
export interface ExpressionSpace extends Space<ExprGenome> {
  readonly options: ExpressionOptions;
  /** Subtree crossover: a random subtree of `a` replaced by a random subtree of `b`, within `maxSize`. */
  crossover(a: ExprGenome, b: ExprGenome, rng: Rng): ExprGenome;
  /** The form `key` hashes and `describe` prints: `simplify(g)`, or a copy of `g` when the `simplify` option is off. */
  canonical(g: ExprGenome): ExprGenome;
}

/** Draws of ramped half-and-half before `sample` settles for a smallest tree (only when maxSize is very tight). */
const SAMPLE_TRIES = 100;

/**
 * Builds an expression space; `options` are validated and defaults applied here.
 * @throws {ZodError} when the options do not validate.
 */
export function createExpressionSpace(input: ExpressionOptionsInput = {}): ExpressionSpace {
  const options = expressionOptionsSchema.parse(input);
  const ops: Op[] = [...(options.unary ?? UNARY_OPS), ...(options.binary ?? BINARY_OPS)];
  const alphabet: Alphabet = { leaves: options.leaves, ops };
  const settings: VariationSettings = { alphabet, maxDepth: options.maxDepth, maxSize: options.maxSize };
  const canonical = (g: ExprGenome): ExprGenome => (options.simplify ? simplify(g) : g.slice());

  return {
    name: 'expression',
    options,

    sample(rng) {
      for (let t = 0; t < SAMPLE_TRIES; t++) {
        const g = rampedHalfAndHalf(alphabet, options.minDepth, options.maxDepth, rng);
        if (g.length <= options.maxSize) return g;
      }
      return smallestTree(alphabet, options.minDepth, rng);
    },

    mutate(parent, rng) {
      return mutateExpression(parent, settings, rng);
    },

    crossover(a, b, rng) {
      return subtreeCrossover(a, b, settings, rng);
    },

    canonical,

    key(g) {
      return hashCanonical(canonical(g));
    },

    describe(g) {
      return formulaOf(canonical(g));
    },

    encode(g) {
      return g.slice();
    },

    decode(x) {
      // Any well-formed genome is accepted, even outside this space's alphabet: seed formulas may use other leaves or ops.
      return assertGenome(x, 'expression.decode').slice();
    },
  };
}
