// ZDT1–3: two minimized objectives on [0,1]^n with analytic Pareto fronts (Zitzler, Deb & Thiele, Evol. Comput. 8(2), 2000).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import type { Direction, EvalResult } from '../../core/types.js';
import { requireLength, type BenchmarkEvaluator, type BenchmarkFactory, type BenchmarkGenome } from './benchmark.js';
import { type ParetoReference, requireCount, requireUnitGenes, scalarise } from './pareto-reference.js';

export type ZdtProblem = 'zdt1' | 'zdt2' | 'zdt3';

export const zdtOptions = lazySchema(() => z.strictObject({}));
export type ZdtOptions = z.input<typeof zdtOptions>;

const DIRECTIONS: readonly Direction[] = ['minimize', 'minimize'];
const TEN_PI = 10 * Math.PI;

/** h(f1, g) of each problem; f2 = g·h. */
const SHAPES: Record<ZdtProblem, (f1: number, g: number) => number> = {
  zdt1: (f1, g) => 1 - Math.sqrt(f1 / g),
  zdt2: (f1, g) => 1 - (f1 / g) ** 2,
  zdt3: (f1, g) => 1 - Math.sqrt(f1 / g) - (f1 / g) * Math.sin(TEN_PI * f1),
};

/**
 * ZDT1, ZDT2 or ZDT3 on x ∈ [0,1]^n (n = genome length ≥ 2; the paper's n is 30), both objectives **minimized** and
 * returned raw in `objectives`: f1 = x1, g = 1 + 9·Σ_{i≥2} x_i/(n − 1), f2 = g·h with
 * ZDT1 h = 1 − √(f1/g), ZDT2 h = 1 − (f1/g)², ZDT3 h = 1 − √(f1/g) − (f1/g)·sin(10π·f1).
 * The Pareto set is g = 1 (x2 = … = xn = 0); f2 = h(f1, 1) there (for ZDT3 only on five pieces of f1).
 *
 * `fitness` = −(f1 + f2), to be **maximized** (the sum of the objectives signed higher-is-better, as every
 * multi-objective benchmark here). Descriptors: (x1, x2) = (f1, the first distance gene) ∈ [0,1]², so a grid archive
 * spans f1 and the distance to the front. `metrics.g` = g (1 on the Pareto set).
 *
 * @throws {ConfigError} from `evaluate` when the genome has fewer than 2 genes.
 * @throws {RangeError} from `evaluate` naming the first gene outside [0, 1] (no clipping: bound the space to [0, 1]).
 */
export function createZdt(problem: ZdtProblem, options: ZdtOptions = {}): BenchmarkEvaluator {
  zdtOptions.parse(options);
  const shape = SHAPES[problem];
  return {
    name: problem,
    version: '1',
    evaluate(x: BenchmarkGenome): EvalResult {
      const n = x.length;
      requireLength(problem, n, 2, 'f1 = x1 and g averages x2…xn');
      requireUnitGenes(problem, x);
      let sum = 0;
      for (let i = 1; i < n; i++) sum += x[i]!;
      const f1 = x[0]!;
      const g = 1 + (9 * sum) / (n - 1);
      const objectives = [f1, g * shape(f1, g)];
      return { fitness: scalarise(objectives, DIRECTIONS), descriptors: [x[0]!, x[1]!], objectives, metrics: { g } };
    },
  };
}

/** ZDT3's front at g = 1: f2 as a function of f1. */
function zdt3Front2(u: number): number {
  return 1 - Math.sqrt(u) - u * Math.sin(TEN_PI * u);
}

/** d/du of zdt3Front2 (u > 0). */
function zdt3Slope(u: number): number {
  return -0.5 / Math.sqrt(u) - Math.sin(TEN_PI * u) - TEN_PI * u * Math.cos(TEN_PI * u);
}

/** The root of f in [lo, hi], where f(lo) and f(hi) have opposite signs, to the last bit. */
function bisect(f: (u: number) => number, lo: number, hi: number): number {
  const positiveAtLo = f(lo) > 0;
  for (;;) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) return mid;
    if (f(mid) > 0 === positiveAtLo) lo = mid;
    else hi = mid;
  }
}

/** One Pareto-optimal piece of ZDT3's front: f1 ∈ (start, end] (the first piece includes 0). */
interface Zdt3Piece {
  readonly start: number;
  readonly end: number;
}

/**
 * The pieces of f1 on which ZDT3's g = 1 curve is non-dominated: each ends at a local minimum of f2 lower than every
 * earlier one, and starts where the curve, falling towards it, drops below the previous piece's end value (that point
 * ties it in f2, so it is dominated and left out). Found by bisection on a 10⁴-step bracket of f1 ∈ (0, 1]. pymoo's
 * table agrees on the ends (0.0830015349, 0.2577623634, …, 0.8518328654) to its 10 digits; its starts lie up to
 * 5·10⁻⁸ inside the pieces (0.182228780 against 0.1822287280 here).
 */
function findZdt3Pieces(): Zdt3Piece[] {
  const steps = 10_000;
  const pieces: Zdt3Piece[] = [];
  let best = Number.POSITIVE_INFINITY; // f2 at the last piece's end: the running minimum of the front
  let lastMax = 0; // the latest local maximum of f2: the curve falls from there
  for (let i = 1; i < steps; i++) {
    const lo = i / steps;
    const hi = (i + 1) / steps;
    const before = zdt3Slope(lo);
    const after = zdt3Slope(hi);
    if (before > 0 && after <= 0) lastMax = bisect(zdt3Slope, lo, hi);
    if (!(before < 0 && after >= 0)) continue;
    const end = bisect(zdt3Slope, lo, hi);
    const value = zdt3Front2(end);
    if (!(value < best)) continue;
    const start = pieces.length === 0 ? 0 : bisect((u) => zdt3Front2(u) - best, lastMax, end);
    pieces.push({ start, end });
    best = value;
  }
  return pieces;
}

let foundPieces: readonly Zdt3Piece[] | undefined;

/**
 * ZDT3's Pareto-optimal f1 ranges at g = 1 (five, from (0, 0.0830…] to (0.8233…, 0.8518…]). Found at the first call,
 * not at import: the search takes milliseconds that every command importing the benchmarks would pay.
 */
export function zdt3Pieces(): readonly Zdt3Piece[] {
  foundPieces ??= findZdt3Pieces();
  return foundPieces;
}

/** ∫ (1 − f2) df1 along ZDT3's g = 1 curve: (2/3)u^{3/2} + ∫u·sin(10πu) du. */
function zdt3Area(u: number): number {
  return (2 / 3) * u ** 1.5 + Math.sin(TEN_PI * u) / TEN_PI ** 2 - (u * Math.cos(TEN_PI * u)) / TEN_PI;
}

/**
 * ZDT3's hypervolume with reference (1, 1): ∫₀¹ (1 − m(u)) du with m the running minimum of f2 over f1 ≤ u, in
 * closed form on each piece and constant across the gaps. ≈ 1.0444260074 (a trapezoid sum on 2·10⁷ steps agrees to
 * 10 digits).
 */
function zdt3Hypervolume(): number {
  let volume = 0;
  const all = zdt3Pieces();
  all.forEach(({ start, end }, k) => {
    volume += zdt3Area(end) - zdt3Area(start);
    const next = k + 1 < all.length ? all[k + 1]!.start : 1;
    volume += (next - end) * (1 - zdt3Front2(end));
  });
  return volume;
}

/**
 * `count` points on ZDT1's true front f2 = 1 − √f1, f1 evenly spaced in [0, 1] (raw, both minimized).
 * @throws {RangeError} when `count` is not an integer ≥ 2.
 */
export function zdt1Front(count: number): number[][] {
  requireCount('zdt1Front', count, 2);
  return Array.from({ length: count }, (_, i) => {
    const f1 = i / (count - 1);
    return [f1, 1 - Math.sqrt(f1)];
  });
}

/**
 * `count` points on ZDT2's true front f2 = 1 − f1², f1 evenly spaced in [0, 1] (raw, both minimized).
 * @throws {RangeError} when `count` is not an integer ≥ 2.
 */
export function zdt2Front(count: number): number[][] {
  requireCount('zdt2Front', count, 2);
  return Array.from({ length: count }, (_, i) => {
    const f1 = i / (count - 1);
    return [f1, 1 - f1 * f1];
  });
}

/**
 * `count` points on ZDT3's true front: f2 = 1 − √f1 − f1·sin(10π·f1) on the non-dominated pieces only
 * (zdt3Pieces()), evenly spaced along their total f1 length from f1 = 0 to the last piece's end (raw, both minimized).
 * A piece's own start is never returned: it ties the previous piece's end in f2 and is dominated by it.
 * @throws {RangeError} when `count` is not an integer ≥ 2.
 */
export function zdt3Front(count: number): number[][] {
  requireCount('zdt3Front', count, 2);
  let total = 0;
  for (const p of zdt3Pieces()) total += p.end - p.start;
  return Array.from({ length: count }, (_, i) => {
    let along = (i / (count - 1)) * total;
    let f1 = 0;
    for (const p of zdt3Pieces()) {
      const length = p.end - p.start;
      f1 = p.start + Math.min(along, length);
      if (along <= length) break; // a distance that ends a piece stays there: its end, not the next one's start
      along -= length;
    }
    return [f1, zdt3Front2(f1)];
  });
}

/**
 * The true fronts and hypervolumes of ZDT1–3 with the usual reference (1, 1) (both objectives minimized, so the
 * hypervolume is the area between the front and (1, 1)): ZDT1 2/3, ZDT2 1/3 (ALGORITHMS.md §10.2), ZDT3 ≈ 1.0444260
 * (computed: pymoo gives the front but no reference point for ZDT3; (1, 1) bounds the whole front, whose f2 reaches 1
 * at f1 = 0 and dips below 0).
 */
export const ZDT_REFERENCES: Readonly<Record<ZdtProblem, ParetoReference>> = {
  zdt1: {
    directions: DIRECTIONS,
    reference: [1, 1],
    hypervolume: 2 / 3,
    exact: true,
    source: 'analytic: ∫₀¹ √f1 df1 = 2/3',
    front: zdt1Front,
  },
  zdt2: {
    directions: DIRECTIONS,
    reference: [1, 1],
    hypervolume: 1 / 3,
    exact: true,
    source: 'analytic: ∫₀¹ f1² df1 = 1/3',
    front: zdt2Front,
  },
  zdt3: {
    directions: DIRECTIONS,
    reference: [1, 1],
    get hypervolume() {
      return zdt3Hypervolume(); // computed when read: the pieces' search is not an import's cost
    },
    exact: true,
    source: 'closed form per Pareto piece, piece ends found by bisection (≈ 1.0444260074)',
    front: zdt3Front,
  },
};

export const zdt1: BenchmarkFactory = defineFactory(
  'ZDT1 (2 objectives, minimize): x ∈ [0,1]^n, convex front f2 = 1 − √f1; fitness −(f1 + f2); descriptors (x1, x2)',
  zdtOptions,
  (options) => createZdt('zdt1', options),
);

export const zdt2: BenchmarkFactory = defineFactory(
  'ZDT2 (2 objectives, minimize): x ∈ [0,1]^n, concave front f2 = 1 − f1²; fitness −(f1 + f2); descriptors (x1, x2)',
  zdtOptions,
  (options) => createZdt('zdt2', options),
);

export const zdt3: BenchmarkFactory = defineFactory(
  'ZDT3 (2 objectives, minimize): x ∈ [0,1]^n, front in 5 disjoint pieces; fitness −(f1 + f2); descriptors (x1, x2)',
  zdtOptions,
  (options) => createZdt('zdt3', options),
);
