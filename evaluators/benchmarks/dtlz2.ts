// DTLZ2: M minimized objectives on [0,1]^n whose Pareto front is the unit sphere's positive orthant (Deb, Thiele, Laumanns & Zitzler, CEC 2002 / Evolutionary Multiobjective Optimization, Springer 2005).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { Direction, EvalResult } from '../../core/types.js';
import { requireLength, type BenchmarkEvaluator, type BenchmarkFactory, type BenchmarkGenome } from './benchmark.js';
import { type ParetoReference, requireCount, requireUnitGenes, scalarise } from './pareto-reference.js';

const HALF_PI = Math.PI / 2;

export const dtlz2Options = lazySchema(() =>
  z.strictObject({
    objectives: z
      .number()
      .int()
      .min(2)
      .default(3)
      .describe('number of objectives M (default 3); the genome needs at least M genes, the paper uses n = M + 9'),
  }),
);
export type Dtlz2Options = z.input<typeof dtlz2Options>;

/**
 * DTLZ2 with M objectives on x ∈ [0,1]^n (n = genome length ≥ M, so k = n − M + 1 ≥ 1 distance genes; the paper's
 * k = 10 gives n = 12 at M = 3), every objective **minimized** and returned raw in `objectives`:
 * g = Σ_{i=M}^{n} (x_i − 0.5)², and with θ_i = x_i·π/2,
 * f_1 = (1+g)·cos θ_1 ⋯ cos θ_{M−1}, f_j = (1+g)·cos θ_1 ⋯ cos θ_{M−j}·sin θ_{M−j+1} (1 < j < M),
 * f_M = (1+g)·sin θ_1. The Pareto set is x_M = … = x_n = 0.5 (g = 0), where Σ f_j² = 1.
 *
 * `fitness` = −Σ f_j, to be **maximized** (the sum of the objectives signed higher-is-better, as every multi-objective
 * benchmark here). Descriptors: (x1, x2) ∈ [0,1]², two of the position genes (x2 is already a distance gene when
 * M = 2). `metrics.g` = g (0 on the Pareto set).
 *
 * @throws {ConfigError} from `evaluate` when the genome has fewer than M genes.
 * @throws {RangeError} from `evaluate` naming the first gene outside [0, 1] (no clipping: bound the space to [0, 1]).
 */
export function createDtlz2(options: Dtlz2Options = {}): BenchmarkEvaluator {
  const { objectives: m } = dtlz2Options.parse(options);
  const directions: Direction[] = new Array<Direction>(m).fill('minimize');
  return {
    name: 'dtlz2',
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength('dtlz2', n, m, `M = ${m} objectives take M − 1 position genes and at least one distance gene`);
      requireUnitGenes('dtlz2', x);
      let g = 0;
      for (let i = m - 1; i < n; i++) g += (x[i]! - 0.5) ** 2;
      const objectives = new Array<number>(m);
      let cosines = 1 + g; // (1+g)·cos θ_1 ⋯ cos θ_i, built up from the first angle
      for (let j = m - 1; j >= 1; j--) {
        const theta = x[m - 1 - j]! * HALF_PI;
        objectives[j] = cosines * Math.sin(theta); // f_{j+1} (0-based j): the product so far times the next sine
        cosines *= Math.cos(theta);
      }
      objectives[0] = cosines;
      return { fitness: scalarise(objectives, directions), descriptors: [x[0]!, x[1]!], objectives, metrics: { g } };
    },
  };
}

/** Every vector of `m` non-negative integers summing to `divisions` (the Das–Dennis simplex lattice). */
function simplexLattice(m: number, divisions: number): number[][] {
  if (m === 1) return [[divisions]];
  const out: number[][] = [];
  for (let first = divisions; first >= 0; first--) {
    for (const rest of simplexLattice(m - 1, divisions - first)) out.push([first, ...rest]);
  }
  return out;
}

/**
 * Points on DTLZ2's true front (the unit sphere in the positive orthant, raw, all minimized): the Das–Dennis lattice
 * of the simplex with `divisions` steps per edge, scaled to unit length. That is C(divisions + M − 1, M − 1) points
 * (5151 at M = 3, 100 divisions), including the M corners e_j.
 * @throws {RangeError} when `divisions` is not an integer ≥ 1 or `objectives` not an integer ≥ 2.
 */
export function dtlz2Front(divisions: number, objectives = 3): number[][] {
  requireCount('dtlz2Front divisions', divisions, 1);
  requireCount('dtlz2Front objectives', objectives, 2);
  return simplexLattice(objectives, divisions).map((w) => {
    const norm = Math.hypot(...w);
    return w.map((v) => v / norm);
  });
}

/**
 * DTLZ2's hypervolume with reference (1, …, 1): the unit cube less the unit ball's positive orthant,
 * 1 − V_M/2^M with V_M the volume of the unit M-ball (V_0 = 1, V_1 = 2, V_M = V_{M−2}·2π/M).
 * M = 2: 1 − π/4; M = 3: 1 − π/6 ≈ 0.4764 (ALGORITHMS.md §10.2).
 * @throws {RangeError} when `objectives` is not an integer ≥ 2.
 */
export function dtlz2Hypervolume(objectives = 3): number {
  requireCount('dtlz2Hypervolume objectives', objectives, 2);
  let ball = objectives % 2 === 0 ? 1 : 2;
  for (let d = objectives % 2 === 0 ? 2 : 3; d <= objectives; d += 2) ball *= (2 * Math.PI) / d;
  return 1 - ball / 2 ** objectives;
}

/**
 * DTLZ2's true front and hypervolume with reference (1, …, 1) for M objectives. `front(count)` returns the smallest
 * Das–Dennis lattice (dtlz2Front) with at least `count` points.
 * @throws {RangeError} when `objectives` is not an integer ≥ 2.
 */
export function dtlz2Reference(objectives = 3): ParetoReference {
  const hypervolume = dtlz2Hypervolume(objectives);
  return {
    directions: new Array<Direction>(objectives).fill('minimize'),
    reference: new Array<number>(objectives).fill(1),
    hypervolume,
    exact: true,
    source: `analytic: 1 − V_${objectives}/2^${objectives} (unit ball volume)${objectives === 3 ? ' = 1 − π/6' : ''}`,
    front(count) {
      requireCount('dtlz2 front', count, 1);
      let divisions = 1;
      while (latticeSize(objectives, divisions) < count) divisions++;
      return dtlz2Front(divisions, objectives);
    },
  };
}

/** C(divisions + m − 1, m − 1): the number of lattice points. */
function latticeSize(m: number, divisions: number): number {
  let size = 1;
  for (let i = 1; i < m; i++) size = (size * (divisions + i)) / i;
  return Math.round(size);
}

export const dtlz2: BenchmarkFactory = defineFactory(
  'DTLZ2 (M objectives, default 3, minimize): x ∈ [0,1]^n, n ≥ M; front = unit sphere octant; fitness −Σf; descriptors (x1, x2)',
  dtlz2Options,
  (options) => createDtlz2(options),
);
