// OneMax: the number of one bits, the textbook monotone benchmark (ALGORITHMS.md §6.1; Droste, Jansen & Wegener 2002).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { EvalResult } from '../../core/types.js';
import type { BenchmarkEvaluator, BenchmarkFactory, BenchmarkGenome } from './benchmark.js';

export const oneMaxOptions = lazySchema(() => z.strictObject({}));
export type OneMaxOptions = z.input<typeof oneMaxOptions>;

/** Number of nonzero entries. */
export function countOnes(bits: BenchmarkGenome): number {
  let ones = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) ones++;
  return ones;
}

/**
 * OneMax(x) = Σ x_i, meant to be **maximized** (optimum n at 1ⁿ).
 * Descriptors: `[ones]` ∈ [0, n], so a 1-D grid over the number of ones works.
 */
export function createOneMax(options: OneMaxOptions = {}): BenchmarkEvaluator {
  oneMaxOptions.parse(options);
  return {
    name: 'onemax',
    version: '1',
    evaluate(bits: BenchmarkGenome): EvalResult {
      const ones = countOnes(bits);
      return { fitness: ones, descriptors: [ones] };
    },
  };
}

export const onemax: BenchmarkFactory = defineFactory(
  'OneMax: number of one bits (maximize); descriptors [ones] in [0, n]',
  oneMaxOptions,
  (options) => createOneMax(options),
);
