// Multi-objective Rastrigin: two negated Rastrigin functions with different optima, MOME's benchmark (Pierrot et al., GECCO 2022, arXiv:2202.03057; QDax examples/mome.ipynb).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { Direction, EvalResult } from '../../core/types.js';
import { requireLength, type BenchmarkEvaluator, type BenchmarkFactory, type BenchmarkGenome } from './benchmark.js';
import { DEFAULT_BOUND, linearProjectionShape, projectLinear } from './linear-projection.js';
import { type ParetoReference, requireCount, scalarise } from './pareto-reference.js';

const A = 10;
const TWO_PI = 2 * Math.PI;
const DIRECTIONS: readonly Direction[] = ['maximize', 'maximize'];

/** QDax's `base_lag` and `lag`: the optima of the two objectives, x = 0 and x = 2.2 in every coordinate. */
export const DEFAULT_MO_RASTRIGIN_SHIFTS: readonly [number, number] = [0, 2.2];
/** QDax's MOME example: n = 100 genes, sampled and mutated in [−2, 4]. */
export const MO_RASTRIGIN_DIMENSIONS = 100;

export const moRastriginOptions = lazySchema(() =>
  z
    .strictObject({
      shifts: z
        .tuple([z.number(), z.number()])
        .refine((s) => s[0] !== s[1], 'the two shifts must differ (equal ones make one objective twice)')
        .default([...DEFAULT_MO_RASTRIGIN_SHIFTS])
        .describe('optimum coordinate of each objective (default [0, 2.2], QDax base_lag and lag)'),
      descriptors: z
        .enum(['projection', 'genes'])
        .default('projection')
        .describe("'projection': pyribs' linear projection (m1, m2); 'genes': (x1, x2), as QDax's MOME example"),
      bound: linearProjectionShape.bound,
    })
    .superRefine((o, ctx) => {
      if (o.bound !== undefined && o.descriptors !== 'projection') {
        ctx.addIssue({ code: 'custom', path: ['bound'], message: "bound applies only to descriptors 'projection'" });
      }
    }),
);
export type MoRastriginOptions = z.input<typeof moRastriginOptions>;

/** One coordinate's Rastrigin term with the constant: r(d) = d² − 10·cos(2πd) + 10 ≥ d² ≥ 0, r(0) = 0. */
function r(d: number): number {
  return d * d - A * Math.cos(TWO_PI * d) + A;
}

/**
 * Two Rastrigin objectives on x ∈ ℝⁿ (n = genome length), both **maximized** and returned raw in `objectives`,
 * as QDax's `rastrigin_scorer` (examples/mome.ipynb, tests/core_test/mome_test.py):
 * f_j(x) = −(10n + Σ_i [(x_i − s_j)² − 10·cos(2π(x_i − s_j))]), j = 1, 2, with shifts (s_1, s_2) = (0, 2.2) by
 * default (QDax's base_lag, lag). f_j ≤ 0, with its maximum 0 at x = s_j·1. QDax samples and mutates x in [−2, 4]ⁿ
 * with n = 100; this evaluator does not clip (the space's bounds do).
 *
 * `fitness` = f_1 + f_2, to be **maximized** (the sum of the objectives signed higher-is-better, as every
 * multi-objective benchmark here; QDax reports its maximum as `max_sum_scores`).
 *
 * Descriptors, `descriptors: 'projection'` (default): pyribs' linear projection (m1, m2) of rastrigin.ts, with the
 * clip at ±`bound` (default 5.12), m1 ∈ ±⌊n/2⌋·bound, m2 ∈ ±⌈n/2⌉·bound. `'genes'`: (x1, x2), as QDax's MOME
 * example and test, where a 64-cell CVT over [−2, 4]² holds the fronts (needs n ≥ 2).
 *
 * @throws {ConfigError} from `evaluate` when `descriptors` is 'genes' and the genome has fewer than 2 genes.
 */
export function createMoRastrigin(options: MoRastriginOptions = {}): BenchmarkEvaluator {
  const { shifts, descriptors, bound } = moRastriginOptions.parse(options);
  const [s1, s2] = shifts;
  const clip = bound ?? DEFAULT_BOUND;
  const byGenes = descriptors === 'genes';
  return {
    name: 'mo-rastrigin',
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength('mo-rastrigin', n, byGenes ? 2 : 1, byGenes ? "descriptors 'genes' are (x1, x2)" : 'Rastrigin');
      let sum1 = 0;
      let sum2 = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        sum1 += r(v - s1);
        sum2 += r(v - s2);
      }
      const objectives = [0 - sum1, 0 - sum2]; // not −sum: +0 at an optimum
      return {
        fitness: scalarise(objectives, DIRECTIONS),
        descriptors: byGenes ? [x[0]!, x[1]!] : projectLinear(x, clip),
        objectives,
      };
    },
  };
}

/** A convex arc of one coordinate's front, t ∈ [from, to] (either order), on the lower-left hull of the curve. */
interface Arc {
  readonly from: number;
  readonly to: number;
}

/**
 * One coordinate's share of the front, in minimization form (a, b) = (r(t − s1), r(t − s2)): the lower-left convex
 * hull of that curve, as its arcs (a ascending) and its area below (D, D), D = r(s2 − s1) = r(s1 − s2).
 */
interface CoordinateHull {
  readonly arcs: readonly Arc[];
  readonly area: number;
}

const HULL_SAMPLES = 200_000;
const hulls = new Map<string, CoordinateHull>();

/**
 * The lower-left convex hull of t ↦ (r(t − s1), r(t − s2)), sampled on 2·10⁵ steps plus t = s1, s2 exactly.
 * Every front point has a, b ≤ D (t = s2 has a = D, b = 0 and dominates any t with a > D), and r(d) ≥ d², so
 * t ∈ [s_i − √D, s_i + √D] for both i covers it. Memoised per pair of shifts.
 */
function coordinateHull(s1: number, s2: number): CoordinateHull {
  const key = `${s1},${s2}`;
  const known = hulls.get(key);
  if (known) return known;
  const nadir = r(s2 - s1);
  const reach = Math.sqrt(nadir);
  const lo = Math.max(s1, s2) - reach;
  const hi = Math.min(s1, s2) + reach;
  const grid: number[] = [s1, s2];
  for (let i = 0; i <= HULL_SAMPLES; i++) grid.push(lo + ((hi - lo) * i) / HULL_SAMPLES);
  grid.sort((p, q) => p - q);
  const ts = grid.filter((t, i) => i === 0 || t !== grid[i - 1]); // a shift on the grid would be a zero-length gap
  // Indices into ts, by a ascending (b ascending on ties), then the staircase, then Andrew's monotone chain.
  const a = ts.map((t) => r(t - s1));
  const b = ts.map((t) => r(t - s2));
  const order = ts.map((_, i) => i).sort((i, j) => a[i]! - a[j]! || b[i]! - b[j]!);
  const hull: number[] = [];
  let lowest = Number.POSITIVE_INFINITY;
  for (const i of order) {
    if (!(b[i]! < lowest)) continue;
    lowest = b[i]!;
    while (hull.length >= 2) {
      const p = hull[hull.length - 2]!;
      const q = hull[hull.length - 1]!;
      const cross = (a[q]! - a[p]!) * (b[i]! - b[p]!) - (b[q]! - b[p]!) * (a[i]! - a[p]!);
      if (cross > 0) break;
      hull.pop(); // q is on or above the chord from p to i
    }
    hull.push(i);
  }
  // Hull vertices next to each other in t lie on one arc of the curve; a jump in t is a straight gap (a bitangent).
  const arcs: Arc[] = [];
  let first = hull[0]!;
  for (let k = 1; k <= hull.length; k++) {
    const previous = hull[k - 1]!;
    const next = hull[k];
    if (next !== undefined && Math.abs(next - previous) === 1) continue;
    arcs.push({ from: ts[first]!, to: ts[previous]! });
    if (next !== undefined) first = next;
  }
  let area = 0; // trapezoids of D − b over a, from (0, D) to (D, 0)
  for (let k = 1; k < hull.length; k++) {
    const p = hull[k - 1]!;
    const q = hull[k]!;
    area += (a[q]! - a[p]!) * (nadir - (b[p]! + b[q]!) / 2);
  }
  const result = { arcs, area };
  hulls.set(key, result);
  return result;
}

/**
 * Points on mo-rastrigin's true front for genomes of `dimensions` genes (raw, both maximized), without bounds on x
 * (at the default shifts the front's genes lie in [0, 2.2], inside QDax's box [−2, 4]). The problem is separable, so
 * every Pareto-optimal genome has each coordinate on one coordinate's front, and every point here is the optimum of a
 * positive weighting of the objectives, hence Pareto-optimal:
 *   - `count` points x = t·1 with t spread evenly (in t) over the arcs where one coordinate's curve
 *     (r(t − s1), r(t − s2)) is on its convex hull: f = −n·(r(t − s1), r(t − s2));
 *   - across each gap of that hull (a straight edge between arc ends P and Q), the n − 1 mixtures of k genes at Q and
 *     n − k at P, which lie on n times that edge.
 * Between consecutive mixtures the true front bulges slightly beyond these points' staircase (unsupported points:
 * k genes near one arc end and n − k near the other, not returned), so at the defaults their hypervolume falls
 * ≈ 3.7·10⁻⁴ short of moRastriginReference's bound at count = 2000 (≈ 2.6·10⁻⁴ as count grows), the true front's
 * ≈ 1.3·10⁻⁵. Ordered by f1, descending.
 * @throws {RangeError} when `count` is not an integer ≥ 2, `dimensions` not an integer ≥ 1, or the shifts are equal.
 */
export function moRastriginFront(
  count: number,
  dimensions = MO_RASTRIGIN_DIMENSIONS,
  shifts: readonly [number, number] = DEFAULT_MO_RASTRIGIN_SHIFTS,
): number[][] {
  requireCount('moRastriginFront', count, 2);
  requireCount('moRastriginFront dimensions', dimensions, 1);
  const [s1, s2] = requireShifts(shifts);
  const { arcs } = coordinateHull(s1, s2);
  const n = dimensions;
  const point = (t: number): number[] => [0 - n * r(t - s1), 0 - n * r(t - s2)]; // +0 at an optimum, as evaluate()
  let total = 0;
  for (const arc of arcs) total += Math.abs(arc.to - arc.from);
  const out: number[][] = [];
  arcs.forEach((arc, k) => {
    // Each arc gets its share of `count` by length in t, rounded up, and at least its two ends (one if it is a point).
    const length = Math.abs(arc.to - arc.from);
    const single = !(length > 0);
    const m = single ? 1 : Math.max(2, Math.ceil((count * length) / total));
    for (let i = 0; i < m; i++) out.push(point(single ? arc.from : arc.from + ((arc.to - arc.from) * i) / (m - 1)));
    const next = arcs[k + 1];
    if (!next) return;
    const p = point(arc.to).map((v) => v / n); // one gene at the gap's two ends
    const q = point(next.from).map((v) => v / n);
    for (let j = 1; j < n; j++) out.push([(n - j) * p[0]! + j * q[0]!, (n - j) * p[1]! + j * q[1]!]);
  });
  return out.sort((p, q) => q[0]! - p[0]!);
}

/**
 * mo-rastrigin's reference point and hypervolume for genomes of `dimensions` genes (default 100, QDax's MOME
 * example). The reference is the front's nadir −n·(r(s2 − s1), r(s1 − s2)) (≈ (−1175.0, −1175.0) at the defaults):
 * every Pareto-optimal point is at least as good, and the two single-objective optima lie on it. QDax's own
 * reference (−150, −150) is not usable here: no genome of n = 100 genes is above it in both objectives (the best
 * balanced point is ≈ (−312, −312)), so core/hypervolume.ts would give 0 (QDax's sweep gives a signed area instead).
 *
 * `hypervolume` is an **upper bound** (`exact: false`): n² times the area between one coordinate's convex hull and
 * (D, D), since every sum of n coordinates lies in n times that hull. At the defaults it is ≈ 1 101 261.95. Genomes
 * mixing k genes near one arc of that hull with n − k near the next (400-step grids of each) reach all but
 * 1.3·10⁻⁵ of it, so the true front's hypervolume is within that of the bound (the supported points of
 * moRastriginFront alone: 2.6 to 3.7·10⁻⁴ short).
 * @throws {RangeError} when `dimensions` is not an integer ≥ 1 or the shifts are equal.
 */
export function moRastriginReference(
  dimensions = MO_RASTRIGIN_DIMENSIONS,
  shifts: readonly [number, number] = DEFAULT_MO_RASTRIGIN_SHIFTS,
): ParetoReference {
  requireCount('moRastriginReference dimensions', dimensions, 1);
  const [s1, s2] = requireShifts(shifts);
  const { area } = coordinateHull(s1, s2);
  const n = dimensions;
  return {
    directions: DIRECTIONS,
    reference: [-n * r(s2 - s1), -n * r(s1 - s2)],
    hypervolume: n * n * area,
    exact: false,
    source: `upper bound: n² × the area under one coordinate's convex hull (n = ${n})`,
    front: (count) => moRastriginFront(count, n, [s1, s2]),
  };
}

function requireShifts(shifts: readonly [number, number]): readonly [number, number] {
  if (!(shifts[0] !== shifts[1] && Number.isFinite(shifts[0]) && Number.isFinite(shifts[1]))) {
    throw new RangeError(`mo-rastrigin: the shifts must be two different finite numbers, got [${shifts.join(', ')}]`);
  }
  return shifts;
}

export const moRastrigin: BenchmarkFactory = defineFactory(
  'Two Rastrigin objectives (maximize both), optima at x = 0 and 2.2 (MOME, QDax); fitness f1 + f2; descriptors: linear projection or (x1, x2)',
  moRastriginOptions,
  (options) => createMoRastrigin(options),
);
