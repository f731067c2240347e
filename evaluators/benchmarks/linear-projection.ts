// Linear-projection measures of pyribs' shifted sphere and Rastrigin (Fontaine et al. 2020, arXiv:1912.02400 §4; pyribs examples/sphere.py).
import { z } from 'zod';
import type { BenchmarkGenome } from './benchmark.js';

/** Half-width of the search box [−bound, bound]^n. */
export const DEFAULT_BOUND = 5.12;
/** The optimum sits at x_i = shift, off the centre of the box: 0.4·5.12 = 2.048. */
export const DEFAULT_SHIFT = 0.4 * DEFAULT_BOUND;

/** Options shared by sphere and Rastrigin (pyribs variant). */
export const linearProjectionShape = {
  shift: z.number().optional().describe(`optimum coordinate s (default ${DEFAULT_SHIFT})`),
  bound: z.number().positive().optional().describe(`half-width of the box and of the clip (default ${DEFAULT_BOUND})`),
};

/** The box corner farthest from the optimum, per coordinate: −bound when shift ≥ 0, else +bound. */
export function farCorner(shift: number, bound: number): number {
  return shift >= 0 ? -bound : bound;
}

/**
 * pyribs' measures (m1, m2): m1 sums the clipped x̃_i over the first ⌊n/2⌋ coordinates, m2 over the
 * remaining ⌈n/2⌉, with x̃_i = x_i if |x_i| ≤ bound else bound/x_i (so |x̃_i| ≤ bound).
 * Ranges: m1 ∈ ±⌊n/2⌋·bound, m2 ∈ ±⌈n/2⌉·bound (±256 each at n = 100, bound 5.12).
 */
export function projectLinear(x: BenchmarkGenome, bound: number): number[] {
  const n = x.length;
  const half = n >>> 1;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < half; i++) m1 += clip(x[i]!, bound);
  for (let i = half; i < n; i++) m2 += clip(x[i]!, bound);
  return [m1, m2];
}

function clip(v: number, bound: number): number {
  return v >= -bound && v <= bound ? v : bound / v;
}

/**
 * n ↦ constantPerCoordinate·n + Σ_{i<n} term: the raw objective at the far corner for genomes of length n,
 * summed term by term as the evaluators sum theirs, so the corner normalises to exactly 0. Memoised for the last n.
 */
export function cornerObjective(term: number, constantPerCoordinate: number): (n: number) => number {
  let lastN = -1;
  let lastValue = 0;
  return (n) => {
    if (n !== lastN) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += term;
      lastValue = constantPerCoordinate * n + sum;
      lastN = n;
    }
    return lastValue;
  };
}
