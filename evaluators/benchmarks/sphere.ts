// Shifted sphere with linear-projection measures (pyribs examples/sphere.py; Fontaine et al. 2020, arXiv:1912.02400 §4).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { EvalResult } from '../../core/types.js';
import { requireLength, type BenchmarkEvaluator, type BenchmarkFactory, type BenchmarkGenome } from './benchmark.js';
import {
  cornerObjective,
  DEFAULT_BOUND,
  DEFAULT_SHIFT,
  farCorner,
  linearProjectionShape,
  projectLinear,
} from './linear-projection.js';

export const sphereOptions = lazySchema(() => z.strictObject(linearProjectionShape));
export type SphereOptions = z.input<typeof sphereOptions>;

/**
 * Sphere on x ∈ ℝⁿ (n = genome length), meant to be **maximized**:
 * raw f = Σ(x_i − s)², fitness = (f − f_worst)/(0 − f_worst)·100 with f_worst = n·(bound + |s|)², the value
 * at the box corner farthest from the optimum (= n·(−bound − s)² for s ≥ 0, pyribs' formula).
 * Fitness is in [0, 100] inside [−bound, bound]^n, 100 at x = s; outside the box it can go below 0.
 * Descriptors: pyribs' linear projection (m1, m2), m1 ∈ ±⌊n/2⌋·bound, m2 ∈ ±⌈n/2⌉·bound.
 * `metrics.raw` = f.
 */
export function createSphere(options: SphereOptions = {}): BenchmarkEvaluator {
  const parsed = sphereOptions.parse(options);
  const shift = parsed.shift ?? DEFAULT_SHIFT;
  const bound = parsed.bound ?? DEFAULT_BOUND;
  const d = farCorner(shift, bound) - shift;
  const worst = cornerObjective(d * d, 0);
  return {
    name: 'sphere',
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength('sphere', n, 1, 'the normalisation divides by the worst value n·(bound + |shift|)²');
      let raw = 0;
      for (let i = 0; i < n; i++) {
        const di = x[i]! - shift;
        raw += di * di;
      }
      const fWorst = worst(n);
      const fitness = ((fWorst - raw) / fWorst) * 100; // = (f − f_worst)/(0 − f_worst)·100, +0 at the corner
      return { fitness, descriptors: projectLinear(x, bound), metrics: { raw } };
    },
  };
}

export const sphere: BenchmarkFactory = defineFactory(
  'Shifted sphere normalised to [0, 100] (maximize); descriptors: pyribs linear projection (m1, m2) in ±(n/2)·bound',
  sphereOptions,
  (options) => createSphere(options),
);
