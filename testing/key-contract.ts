// Key contract suite: two genomes with equal keys must be indistinguishable to the evaluator. The result cache answers
// a candidate with the result stored under its key, so a key that merges genomes the evaluator tells apart is a wrong
// number returned silently. Runnable on built-in and user spaces under vitest.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../core/rng.js';
import type { Space } from '../core/types.js';

export interface KeyContractOptions<G, V> {
  /**
   * What the evaluator sees of a genome: the rendered prompt, the mask, the formula's values on fixed inputs.
   * Use the evaluator's own code where it has one, so the check follows the evaluator rather than the space.
   */
  view(genome: G): V;
  /** Equality of two views; default: equal JSON. Give a tolerance for floating-point views. */
  same?(a: V, b: V): boolean;
  /** Genomes sampled; each starts a mutation chain (default 60). */
  samples?: number;
  /** Mutations per chain; crossover between chains too when the space offers it (default 40). */
  chain?: number;
  /**
   * The space's key deliberately merges distinct genomes (a canonical form): at least this many genomes must share a
   * key with a differently encoded genome, so the check is known to have compared something (default 0).
   */
  minMerged?: number;
}

/** The result of one pass: genomes generated, distinct keys, and genomes merged with a differently encoded one. */
export interface KeyContractCount {
  readonly genomes: number;
  readonly keys: number;
  readonly merged: number;
  /** Keys whose genomes the evaluator tells apart, with the two encodings (empty when the contract holds). */
  readonly violations: readonly { key: string; a: string; b: string }[];
}

/**
 * Generates a population by sampling, chains of mutation and crossover, groups it by key and compares the
 * evaluator's view within each group. Pure: the vitest suite below and ad-hoc checks share it.
 */
export function countKeyContract<G, V>(
  space: Space<G>,
  options: KeyContractOptions<G, V>,
  seed = 'key-contract',
): KeyContractCount {
  const same = options.same ?? ((a: V, b: V) => JSON.stringify(a) === JSON.stringify(b));
  const rng = rngFromSeed(seed);
  const genomes: G[] = [];
  const heads: G[] = [];
  for (let s = 0; s < (options.samples ?? 60); s++) {
    let g = space.sample(rng);
    genomes.push(g);
    for (let m = 0; m < (options.chain ?? 40); m++) {
      g = space.mutate(g, rng);
      genomes.push(g);
    }
    heads.push(g);
  }
  if (space.crossover) {
    for (let i = 0; i + 1 < heads.length; i++) genomes.push(space.crossover(heads[i] as G, heads[i + 1] as G, rng));
  }

  const firstByKey = new Map<string, { view: V; encoded: string }>();
  const violations: { key: string; a: string; b: string }[] = [];
  let merged = 0;
  for (const g of genomes) {
    const key = space.key(g);
    const encoded = JSON.stringify(space.encode(g));
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, { view: options.view(g), encoded });
      continue;
    }
    if (first.encoded === encoded) continue;
    merged++;
    if (!same(first.view, options.view(g)) && violations.length < 5)
      violations.push({ key, a: first.encoded, b: encoded });
  }
  return { genomes: genomes.length, keys: firstByKey.size, merged, violations };
}

/**
 * Registers a vitest `describe` block: genomes with equal keys look the same to the evaluator (`view`), and, when
 * `minMerged` is set, the space's canonical form is seen merging genomes.
 */
export function keyContract<G, V>(name: string, make: () => Space<G>, options: KeyContractOptions<G, V>): void {
  describe(`Key contract: ${name}`, () => {
    it('genomes with equal keys are indistinguishable to the evaluator', () => {
      const count = countKeyContract(make(), options);
      expect(count.violations).toEqual([]);
      expect(count.keys).toBeGreaterThan(1);
      expect(count.merged).toBeGreaterThanOrEqual(options.minMerged ?? 0);
    });
  });
}
