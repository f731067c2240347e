// LeadingOnes: the length of the run of ones at the start of a bit string (ALGORITHMS.md §6.1; Rudolph 1997).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { EvalResult } from '../../core/types.js';
import type { BenchmarkEvaluator, BenchmarkFactory, BenchmarkGenome } from './benchmark.js';

export const leadingOnesOptions = lazySchema(() => z.strictObject({}));
export type LeadingOnesOptions = z.input<typeof leadingOnesOptions>;

/**
 * LeadingOnes(x) = max{ i : x_1 = … = x_i = 1 }, meant to be **maximized** (optimum n at 1ⁿ).
 * Descriptors: `[leadingOnes, ones]`, both in [0, n] (leadingOnes ≤ ones).
 */
export function createLeadingOnes(options: LeadingOnesOptions = {}): BenchmarkEvaluator {
  leadingOnesOptions.parse(options);
  return {
    name: 'leading-ones',
    version: '1',
    evaluate(bits: BenchmarkGenome): EvalResult {
      const n = bits.length;
      let leading = 0;
      while (leading < n && bits[leading] !== 0) leading++;
      let ones = leading;
      for (let i = leading + 1; i < n; i++) if (bits[i] !== 0) ones++;
      return { fitness: leading, descriptors: [leading, ones] };
    },
  };
}

export const leadingOnes: BenchmarkFactory = defineFactory(
  'LeadingOnes: length of the leading run of ones (maximize); descriptors [leadingOnes, ones] in [0, n]²',
  leadingOnesOptions,
  (options) => createLeadingOnes(options),
);
