// Planar arm: a chain of links whose end effector is the behaviour, two variants (pymap_elites examples/cvt_arm.py, Vassiliades et al. 2018, arXiv:1610.05729; pyribs tutorials/arm_repertoire.ipynb).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { ConfigError } from '../../core/errors.js';
import { defineFactory } from '../../core/factory.js';
import type { EvalResult } from '../../core/types.js';
import { requireLength, type BenchmarkEvaluator, type BenchmarkFactory, type BenchmarkGenome } from './benchmark.js';

const TWO_PI = 2 * Math.PI;

export const planarArmOptions = lazySchema(() =>
  z
    .strictObject({
      variant: z
        .enum(['pymap-elites', 'pyribs'])
        .default('pymap-elites')
        .describe("'pymap-elites': x ∈ [0,1]^n, −std, descriptors in [0,1]²; 'pyribs': θ ∈ [−π,π]^n, −Var, raw (x, y)"),
      linkLengths: z
        .union([z.number().positive(), z.array(z.number().positive()).min(1)])
        .optional()
        .describe('one length per joint, or one number for equal links (default 1/n for pymap-elites, 1 for pyribs)'),
      // The CMA-MAE paper's arm (icaros-usc/cma_mae experiments/arm/arm.py) remaps −Var ∈ [−1, 0] onto [0, 100].
      objective: z
        .enum(['negative-variance', 'cma-mae'])
        .optional()
        .describe(
          "pyribs variant: 'negative-variance' −Var θ (default); 'cma-mae' (1 − Var θ)·100, the CMA-MAE paper's",
        ),
    })
    .superRefine((o, ctx) => {
      if (o.objective !== undefined && o.variant !== 'pyribs') {
        ctx.addIssue({ code: 'custom', path: ['objective'], message: "objective applies only to variant 'pyribs'" });
      }
    }),
);
export type PlanarArmOptions = z.input<typeof planarArmOptions>;

/**
 * Planar arm with n joints (n = genome length), meant to be **maximized** in both variants.
 * Joint angles θ, link lengths l_i, total length L = Σ l_i; the end effector is
 * p = Σ_i l_i·(cos(θ_1+…+θ_i), sin(θ_1+…+θ_i)). `metrics.x`, `metrics.y` = p.
 *
 * `pymap-elites` (default): genotype x ∈ [0,1]^n, θ = (x − 0.5)·2π, l_i = 1/n by default (L = 1);
 * fitness = −std(θ) (ddof 0) ≤ 0; descriptors p/(2L) + 0.5 ∈ [0,1]² (= p/2 + 0.5 at L = 1).
 *
 * `pyribs`: θ ∈ [−π, π]^n is the genome itself, l_i = 1 by default (L = n, 12 in the tutorial);
 * fitness = −Var(θ) (ddof 0) ≤ 0; descriptors (x, y) raw in [−L, L]². With `objective: 'cma-mae'` the fitness is
 * (1 − Var θ)·100 (Fontaine & Nikolaidis 2023's arm: 100 at Var 0, 0 at Var 1, below 0 beyond).
 *
 * @throws {ConfigError} from `evaluate` when `linkLengths` is a list whose length differs from the genome's.
 */
export function createPlanarArm(options: PlanarArmOptions = {}): BenchmarkEvaluator {
  const { variant, linkLengths, objective } = planarArmOptions.parse(options);
  const isPymap = variant === 'pymap-elites';
  const cmaMae = objective === 'cma-mae';
  const lengths = Array.isArray(linkLengths) ? Float64Array.from(linkLengths) : undefined;
  let listTotal = 0;
  if (lengths) for (let i = 0; i < lengths.length; i++) listTotal += lengths[i]!;

  return {
    name: 'planar-arm',
    version: '1',
    evaluate(genome: BenchmarkGenome): EvalResult {
      const n = genome.length;
      requireLength('planar-arm', n, 1, 'one joint per entry');
      if (lengths && lengths.length !== n) {
        throw new ConfigError(
          `planar-arm: linkLengths has ${lengths.length} entries but the genome has ${n} joints`,
          [{ path: 'evaluator.linkLengths', message: `expected ${n} lengths, received ${lengths.length}` }],
          `Give one length per joint (${n}), or a single number for equal links.`,
        );
      }
      // Equal links unless a list was given; L = 1 exactly for pymap's default 1/n (no rounding in Σ 1/n).
      const link = typeof linkLengths === 'number' ? linkLengths : isPymap ? 1 / n : 1;
      const total = lengths ? listTotal : typeof linkLengths === 'number' ? linkLengths * n : isPymap ? 1 : n;
      const offset = isPymap ? 0.5 : 0;
      const scale = isPymap ? TWO_PI : 1;

      let x = 0;
      let y = 0;
      let cumulative = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const theta = (genome[i]! - offset) * scale;
        const l = lengths ? lengths[i]! : link;
        cumulative += theta;
        sum += theta;
        x += l * Math.cos(cumulative);
        y += l * Math.sin(cumulative);
      }
      const mean = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const d = (genome[i]! - offset) * scale - mean;
        squares += d * d;
      }
      const variance = squares / n;
      if (isPymap) {
        return {
          fitness: -Math.sqrt(variance),
          descriptors: [x / (2 * total) + 0.5, y / (2 * total) + 0.5],
          metrics: { x, y },
        };
      }
      return { fitness: cmaMae ? (1 - variance) * 100 : -variance, descriptors: [x, y], metrics: { x, y } };
    },
  };
}

export const planarArm: BenchmarkFactory = defineFactory(
  "Planar arm (maximize): 'pymap-elites' −std(θ), end effector in [0,1]²; 'pyribs' −Var(θ), end effector in [−L, L]²",
  planarArmOptions,
  (options) => createPlanarArm(options),
);
