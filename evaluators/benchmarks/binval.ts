// BinVal: a bit string read as a binary number, compared exactly for any length (ALGORITHMS.md §6.1; Droste, Jansen & Wegener 2002).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { EvalResult } from '../../core/types.js';
import type { BenchmarkEvaluator, BenchmarkFactory, BenchmarkGenome } from './benchmark.js';

export const binValOptions = lazySchema(() => z.strictObject({}));
export type BinValOptions = z.input<typeof binValOptions>;

/** Bits a double holds exactly: the top bits go into `fitness`. */
const HEAD_BITS = 53;
/** Bits per `tiebreak` entry. */
const CHUNK_BITS = 52;
/** Caps the power-of-two scale so (2^53 − 1)·2^e < 2^1023 stays finite for any n. */
const MAX_SCALE_EXPONENT = 970;

/**
 * BinVal(x) = Σ_{i=1..n} 2^{n−i}·x_i, meant to be **maximized** (optimum 2ⁿ − 1 at 1ⁿ).
 *
 * Doubles lose exactness past 53 bits, so the value is split for the engine's (score, tiebreak)
 * lexicographic comparison (core/score.ts):
 * - n ≤ 53: `fitness` is BinVal(x) exactly; no `tiebreak`.
 * - n > 53: `fitness` = (value of the first 53 bits)·2^(n−53), exact because the scale is a power of two
 *   (the exponent is capped at 970 so that n > 1023 stays finite: then fitness is order-preserving but no
 *   longer BinVal's magnitude); `tiebreak` = the remaining n − 53 bits in ⌈(n−53)/52⌉ integers of at most
 *   52 bits each, most significant first. Genomes of equal length then compare exactly as BinVal does.
 *
 * Minimizing BinVal is not supported: the engine negates the score but not the tiebreak.
 * Descriptors: `[ones]` ∈ [0, n]; `metrics.ones` repeats it.
 */
export function createBinVal(options: BinValOptions = {}): BenchmarkEvaluator {
  binValOptions.parse(options);
  return {
    name: 'binval',
    version: '1',
    evaluate(bits: BenchmarkGenome): EvalResult {
      const n = bits.length;
      const head = n < HEAD_BITS ? n : HEAD_BITS;
      let top = 0;
      let ones = 0;
      for (let i = 0; i < head; i++) {
        const bit = bits[i] !== 0 ? 1 : 0;
        top = top * 2 + bit; // < 2^53: exact
        ones += bit;
      }
      if (n <= HEAD_BITS) return { fitness: top, descriptors: [ones], metrics: { ones } };

      const tiebreak = new Array<number>(Math.ceil((n - HEAD_BITS) / CHUNK_BITS));
      let chunk = 0;
      let k = 0;
      let width = 0;
      for (let i = HEAD_BITS; i < n; i++) {
        const bit = bits[i] !== 0 ? 1 : 0;
        chunk = chunk * 2 + bit;
        ones += bit;
        if (++width === CHUNK_BITS) {
          tiebreak[k++] = chunk;
          chunk = 0;
          width = 0;
        }
      }
      if (width > 0) tiebreak[k] = chunk;
      const exponent = Math.min(n - HEAD_BITS, MAX_SCALE_EXPONENT);
      return { fitness: top * 2 ** exponent, tiebreak, descriptors: [ones], metrics: { ones } };
    },
  };
}

export const binval: BenchmarkFactory = defineFactory(
  'BinVal: bit string as a binary number, exact for any n via fitness + tiebreak (maximize); descriptors [ones] in [0, n]',
  binValOptions,
  (options) => createBinVal(options),
);
