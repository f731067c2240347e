// Variation of expression trees on flat prefix lists: subtree, point and hoist mutation and subtree crossover (Koza 1992;
// hoist: Kinnear 1994), the operators Pruner-Zero's GPTree docstring names (Dong et al., ICML 2024, arXiv:2406.02924).
import { randomInt, type Rng } from '../../core/rng.js';
import { generate, type Alphabet } from './generate.js';
import { isOp, PRIMITIVES, type Op } from './primitives.js';
import { subtreeEnd, type ExprGenome } from './tree.js';

/** What the operators may build: the alphabet, the depth of fresh subtrees and the node cap of offspring. */
export interface VariationSettings {
  readonly alphabet: Alphabet;
  readonly maxDepth: number;
  readonly maxSize: number;
}

/** Attempts per operator at an offspring that fits `maxSize` (and, for mutation, differs from the parent). */
const TRIES = 10;

/** `genome` with the subtree starting at `start` replaced by `replacement`. */
function splice(genome: ExprGenome, start: number, replacement: readonly string[]): string[] {
  const end = subtreeEnd(genome, start);
  return [...genome.slice(0, start), ...replacement, ...genome.slice(end)];
}

/** A random subtree replaced by a freshly grown tree (an operator at its root) of depth ≤ d, d uniform in [2, maxDepth]. */
export function subtreeMutation(parent: ExprGenome, settings: VariationSettings, rng: Rng): string[] {
  const start = randomInt(rng, parent.length);
  const low = Math.min(2, settings.maxDepth);
  const limit = low + randomInt(rng, settings.maxDepth - low + 1);
  return splice(parent, start, generate(settings.alphabet, true, Math.min(1, limit), limit, rng));
}

/**
 * One random node changed in place: an operator for another of the same arity, a leaf for another leaf, a constant
 * for a leaf. Undefined when the chosen node has no alternative (e.g. the only allowed operator of its arity).
 */
export function pointMutation(parent: ExprGenome, settings: VariationSettings, rng: Rng): string[] | undefined {
  const at = randomInt(rng, parent.length);
  const token = parent[at] as string;
  let choices: readonly string[];
  if (isOp(token)) {
    const arity = PRIMITIVES[token].arity;
    choices = settings.alphabet.ops.filter((op: Op) => op !== token && PRIMITIVES[op].arity === arity);
  } else {
    choices = settings.alphabet.leaves.filter((leaf) => leaf !== token);
  }
  if (choices.length === 0) return undefined;
  const child = parent.slice();
  child[at] = choices[randomInt(rng, choices.length)] as string;
  return child;
}

/** The tree replaced by one of its proper subtrees, chosen uniformly. Undefined for a lone leaf. */
export function hoistMutation(parent: ExprGenome, rng: Rng): string[] | undefined {
  if (parent.length < 2) return undefined;
  const start = 1 + randomInt(rng, parent.length - 1);
  return parent.slice(start, subtreeEnd(parent, start));
}

/**
 * One of subtree, point and hoist mutation, chosen uniformly; an operator that cannot produce a changed offspring
 * within `maxSize` in a few tries passes the turn to the next one. A copy of the parent when none can.
 */
export function mutateExpression(parent: ExprGenome, settings: VariationSettings, rng: Rng): string[] {
  const operators = [
    () => subtreeMutation(parent, settings, rng),
    () => pointMutation(parent, settings, rng),
    () => hoistMutation(parent, rng),
  ];
  const first = randomInt(rng, operators.length);
  for (let k = 0; k < operators.length; k++) {
    const operator = operators[(first + k) % operators.length]!;
    for (let t = 0; t < TRIES; t++) {
      const child = operator();
      if (child && child.length <= settings.maxSize && !sameTokens(child, parent)) return child;
    }
  }
  return parent.slice();
}

/**
 * Subtree crossover: a random subtree of `a` replaced by a random subtree of `b` (nodes chosen uniformly).
 * Offspring over `maxSize` are redrawn a few times; then a copy of `a` is returned.
 */
export function subtreeCrossover(a: ExprGenome, b: ExprGenome, settings: VariationSettings, rng: Rng): string[] {
  for (let t = 0; t < TRIES; t++) {
    const at = randomInt(rng, a.length);
    const from = randomInt(rng, b.length);
    const donor = b.slice(from, subtreeEnd(b, from));
    if (a.length - (subtreeEnd(a, at) - at) + donor.length <= settings.maxSize) return splice(a, at, donor);
  }
  return a.slice();
}

function sameTokens(x: readonly string[], y: readonly string[]): boolean {
  return x.length === y.length && x.every((token, i) => token === y[i]);
}
