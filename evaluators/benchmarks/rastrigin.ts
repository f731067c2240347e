// Rastrigin, two variants: pyribs' shifted one with linear-projection measures (Fontaine et al. 2020, arXiv:1912.02400 §4) and pymap_elites examples/cvt_rastrigin.py.
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

const A = 10;
const TWO_PI = 2 * Math.PI;

export const rastriginOptions = lazySchema(() =>
  z
    .strictObject({
      variant: z
        .enum(['pyribs', 'pymap-elites'])
        .default('pyribs')
        .describe(
          "'pyribs': shifted, normalised, linear projection; 'pymap-elites': x ∈ [0,1]^n, descriptors (x0, x1)",
        ),
      ...linearProjectionShape,
    })
    .superRefine((o, ctx) => {
      if (o.variant === 'pymap-elites') {
        for (const key of ['shift', 'bound'] as const) {
          if (o[key] !== undefined) {
            ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies only to variant 'pyribs'` });
          }
        }
      }
    }),
);
export type RastriginOptions = z.input<typeof rastriginOptions>;

/** One coordinate's Rastrigin term d² − 10·cos(2πd); the same expression for evaluations and the corner. */
function term(d: number): number {
  return d * d - A * Math.cos(TWO_PI * d);
}

/**
 * Rastrigin, meant to be **maximized** in both variants (n = genome length).
 *
 * `pyribs` (default): raw f = 10n + Σ[(x_i − s)² − 10cos(2π(x_i − s))]; fitness = (f − f_worst)/(0 − f_worst)·100
 * with f_worst = 10n + n·(d² − 10cos 2πd), d = −bound − s (for s ≥ 0; the far corner +bound − s when s < 0),
 * the raw value at the box corner farthest from the optimum. Fitness is 100 at x = s and 0 at that corner, but
 * the corner is not Rastrigin's maximum: inside the box fitness dips to ≈ −10.65 at the defaults (per coordinate
 * the maximum is ≈ 62.47 near d ≈ −6.53, against 56.45 at the corner). Descriptors: linear projection (m1, m2),
 * m1 ∈ ±⌊n/2⌋·bound, m2 ∈ ±⌈n/2⌉·bound. `metrics.raw` = f.
 *
 * `pymap-elites`: genotype x ∈ [0,1]^n, y = 10x − 5 ∈ [−5, 5]^n, fitness = −(10n + Σ(y_i² − 10cos 2πy_i)) ≤ 0
 * (0 at x = 0.5). Descriptors (x_0, x_1) of the unscaled genotype, in [0,1]² when the space keeps x there.
 * Needs n ≥ 2. `metrics.raw` = 10n + Σ(…) ≥ 0.
 */
export function createRastrigin(options: RastriginOptions = {}): BenchmarkEvaluator {
  const parsed = rastriginOptions.parse(options);
  if (parsed.variant === 'pymap-elites') return createPymapRastrigin();
  const shift = parsed.shift ?? DEFAULT_SHIFT;
  const bound = parsed.bound ?? DEFAULT_BOUND;
  const worst = cornerObjective(term(farCorner(shift, bound) - shift), A);
  return {
    name: 'rastrigin',
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength('rastrigin', n, 1, 'the normalisation divides by the worst value');
      let sum = 0;
      for (let i = 0; i < n; i++) sum += term(x[i]! - shift);
      const raw = A * n + sum;
      const fWorst = worst(n);
      const fitness = ((fWorst - raw) / fWorst) * 100; // = (f − f_worst)/(0 − f_worst)·100, +0 at the corner
      return { fitness, descriptors: projectLinear(x, bound), metrics: { raw } };
    },
  };
}

function createPymapRastrigin(): BenchmarkEvaluator {
  return {
    name: 'rastrigin',
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength('rastrigin', n, 2, "variant 'pymap-elites' uses (x0, x1) as descriptors");
      let sum = 0;
      for (let i = 0; i < n; i++) sum += term(x[i]! * 10 - 5);
      const raw = A * n + sum;
      return { fitness: -raw, descriptors: [x[0]!, x[1]!], metrics: { raw } };
    },
  };
}

export const rastrigin: BenchmarkFactory = defineFactory(
  "Rastrigin (maximize): 'pyribs' shifted, normalised to ≤ 100, linear projection in ±(n/2)·bound; 'pymap-elites' −f on [0,1]^n, descriptors (x0, x1)",
  rastriginOptions,
  (options) => createRastrigin(options),
);
