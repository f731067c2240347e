// Random expression trees: Koza's grow and full methods, ramped half-and-half, as in Pruner-Zero's `random_tree`
// (Dong et al., ICML 2024, arXiv:2406.02924): operators above the minimum depth, leaves at the maximum.
import { randomInt, type Rng } from '../../core/rng.js';
import { PRIMITIVES, type Op } from './primitives.js';

/** The building blocks a generator may use. */
export interface Alphabet {
  readonly leaves: readonly string[];
  /** Unary and binary operators together: Pruner-Zero draws an operator uniformly from all of them. */
  readonly ops: readonly Op[];
}

/**
 * Appends one random tree in prefix order to `out`. Nodes shallower than `minDepth` are operators; nodes at
 * `maxDepth` are leaves; in between, `full` keeps drawing operators while grow picks a leaf or an operator with
 * equal probability. Depth counts edges from this tree's root.
 */
export function generate(
  alphabet: Alphabet,
  grow: boolean,
  minDepth: number,
  maxDepth: number,
  rng: Rng,
  out: string[] = [],
): string[] {
  const visit = (d: number): void => {
    const operator = alphabet.ops.length > 0 && d < maxDepth && (d < minDepth || !grow || rng() >= 0.5);
    if (!operator) {
      out.push(alphabet.leaves[randomInt(rng, alphabet.leaves.length)] as string);
      return;
    }
    const op = alphabet.ops[randomInt(rng, alphabet.ops.length)] as Op;
    out.push(op);
    for (let k = 0; k < PRIMITIVES[op].arity; k++) visit(d + 1);
  };
  visit(0);
  return out;
}

/** Ramped half-and-half: grow or full with equal probability, at a depth drawn uniformly from [minDepth, maxDepth]. */
export function rampedHalfAndHalf(alphabet: Alphabet, minDepth: number, maxDepth: number, rng: Rng): string[] {
  const grow = rng() < 0.5;
  const target = minDepth + randomInt(rng, maxDepth - minDepth + 1);
  return generate(alphabet, grow, minDepth, target, rng);
}

/** The smallest tree of depth `minDepth` the alphabet allows: a chain of unary operators, else a full binary tree. */
export function smallestTree(alphabet: Alphabet, minDepth: number, rng: Rng): string[] {
  const unary = alphabet.ops.filter((op) => PRIMITIVES[op].arity === 1);
  const ops = unary.length > 0 ? unary : alphabet.ops;
  return generate({ leaves: alphabet.leaves, ops }, false, minDepth, minDepth, rng);
}

/** Nodes in the smallest tree of depth `minDepth`: minDepth + 1 with a unary operator, 2^(minDepth+1) − 1 without. */
export function smallestSize(alphabet: Alphabet, minDepth: number): number {
  if (alphabet.ops.length === 0) return 1;
  return alphabet.ops.some((op) => PRIMITIVES[op].arity === 1) ? minDepth + 1 : 2 ** (minDepth + 1) - 1;
}
