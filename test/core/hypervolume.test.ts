// Hypervolume: hand-computed volumes, the 2-/3-objective routines against slicing and Monte Carlo, analytic fronts.
import { describe, expect, it } from 'vitest';
import { hypervolume, hypervolumeBySlicing, hypervolumeContributions } from '../../core/hypervolume.js';
import type { Objectives } from '../../core/pareto.js';
import { gaussian, type Rng, randomInt, SeededRng } from '../../core/rng.js';

/** n points in [0, 1)^m; on a grid of `levels` values when given, so that ties and duplicates are common. */
function randomPoints(rng: Rng, n: number, m: number, levels?: number): number[][] {
  const draw = (): number => (levels ? randomInt(rng, levels) / levels : rng());
  return Array.from({ length: n }, () => Array.from({ length: m }, draw));
}

/** Monte-Carlo hypervolume and its standard error, sampling the box between the reference and the points' maxima. */
function monteCarlo(points: readonly Objectives[], reference: Objectives, samples: number, rng: Rng) {
  const upper = reference.map((r, k) => Math.max(r, ...points.map((p) => p[k]!)));
  const box = upper.reduce((v, u, k) => v * (u - reference[k]!), 1);
  let hits = 0;
  const x = new Array<number>(reference.length);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < x.length; k++) x[k] = reference[k]! + rng() * (upper[k]! - reference[k]!);
    if (points.some((p) => p.every((v, k) => v >= x[k]!))) hits++;
  }
  const share = hits / samples;
  return { estimate: box * share, standardError: box * Math.sqrt((share * (1 - share)) / samples) };
}

/** Each point with constant objectives inserted at `positions` (value 1 over a reference of 0: volume × 1). */
function pad(points: readonly Objectives[], positions: readonly number[]): number[][] {
  return points.map((p) => {
    const out = [...p];
    for (const at of positions) out.splice(at, 0, 1);
    return out;
  });
}

describe('hypervolume by hand', () => {
  it('sums a 2-D staircase and ignores dominated, duplicate and outside points', () => {
    const staircase = [
      [1, 3],
      [2, 2],
      [3, 1],
    ];
    expect(hypervolume(staircase, [0, 0])).toBe(3 + 2 + 1); // columns of widths 1, 1, 1 and heights 3, 2, 1
    const noisy = [...staircase, [2, 2], [1, 1], [0.5, 2.5], [4, 0], [-1, 9], [0, 5], [5, -0.5]];
    expect(hypervolume(noisy, [0, 0])).toBe(6);
    expect(hypervolume(staircase, [1, 1])).toBe(1); // (1, 3) and (3, 1) sit on the reference: nothing
    expect(hypervolume([], [0, 0])).toBe(0);
    expect(hypervolume(staircase, [5, 5])).toBe(0);
  });

  it('handles negative coordinates, one objective, and points sharing an x or a y', () => {
    expect(
      hypervolume(
        [
          [-1, -3],
          [-3, -1],
        ],
        [-4, -4],
      ),
    ).toBe(3 * 1 + 1 * 3 - 1 * 1);
    expect(
      hypervolume(
        [
          [2, 1],
          [2, 3],
          [1, 3],
        ],
        [0, 0],
      ),
    ).toBe(6);
    expect(hypervolume([[2], [5], [-1]], [1])).toBe(4);
  });

  it('adds and subtracts overlapping 3-D boxes', () => {
    // Inclusion–exclusion: three boxes of volume 2, pairwise and triple overlaps the unit cube: 6 − 3 + 1.
    const axes = [
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
    ];
    expect(hypervolume(axes, [0, 0, 0])).toBe(4);
    expect(
      hypervolume(
        [
          [3, 2, 1],
          [1, 3, 2],
        ],
        [0, 0, 0],
      ),
    ).toBe(6 + 6 - 2);
    // 8 + 3 + 3 − (2 + 2 + 1) + 1.
    const mixed = [
      [2, 2, 2],
      [1, 1, 3],
      [3, 1, 1],
    ];
    expect(hypervolume(mixed, [0, 0, 0])).toBe(10);
    expect(hypervolume([...mixed, [2, 2, 2], [1, 1, 1], [3, 3, 0]], [0, 0, 0])).toBe(10);
    expect(hypervolumeBySlicing(mixed, [0, 0, 0])).toBe(10);
  });

  it('adds the four unit extensions of a 4-D unit cube', () => {
    const axes = [0, 1, 2, 3].map((k) => [1, 1, 1, 1].map((v, j) => (j === k ? 2 : v)));
    expect(hypervolume(axes, [0, 0, 0, 0])).toBe(5);
    expect(hypervolume([...axes, [1, 1, 1, 1], [2, 1, 1, 1]], [0, 0, 0, 0])).toBe(5);
    expect(hypervolume([[2, 2, 2, 2, 2]], [1, 0, 1, 0, 1])).toBe(4);
  });

  it('refuses points whose length is not the reference length', () => {
    expect(() => hypervolume([[1, 2, 3]], [0, 0])).toThrow(RangeError);
    expect(() => hypervolume([], [])).toThrow(RangeError);
  });
});

describe('hypervolume against independent computations', () => {
  it('2-D and 3-D agree with slicing, also on points padded to four and five objectives', () => {
    const rng = SeededRng.fromSeed('hv-slicing').next;
    for (let trial = 0; trial < 60; trial++) {
      const levels = trial % 2 === 0 ? 5 : undefined;
      const n = 1 + randomInt(rng, 40);
      const two = randomPoints(rng, n, 2, levels);
      const area = hypervolume(two, [0, 0]);
      // Constants in the middle: slicing sweeps the second real objective over 2-D areas of (first, constant).
      expect(hypervolume(pad(two, [1, 1]), [0, 0, 0, 0])).toBeCloseTo(area, 12);
      expect(hypervolume(pad(two, [1]), [0, 0, 0])).toBeCloseTo(area, 12);
      const three = randomPoints(rng, n, 3, levels);
      const volume = hypervolume(three, [0, 0, 0]);
      expect(hypervolumeBySlicing(three, [0, 0, 0])).toBeCloseTo(volume, 12);
      expect(hypervolume(pad(three, [2]), [0, 0, 0, 0])).toBeCloseTo(volume, 12);
      expect(hypervolume(pad(three, [1, 3]), [0, 0, 0, 0, 0])).toBeCloseTo(volume, 12);
    }
  });

  it('agrees with a Monte-Carlo estimate in two to five objectives', () => {
    const rng = SeededRng.fromSeed('hv-monte-carlo').next;
    for (const [m, n] of [
      [2, 30],
      [3, 30],
      [4, 15],
      [5, 10],
    ] as const) {
      for (let trial = 0; trial < 3; trial++) {
        const points = randomPoints(rng, n, m);
        const reference = Array.from({ length: m }, () => -0.1);
        const { estimate, standardError } = monteCarlo(points, reference, 20_000, rng);
        const exact = hypervolume(points, reference);
        expect(Math.abs(exact - estimate)).toBeLessThan(4.5 * standardError);
      }
    }
  });

  it('gives the exclusive contributions: leave-one-out differences, zero for dominated and duplicate points', () => {
    const rng = SeededRng.fromSeed('hv-contributions').next;
    for (let trial = 0; trial < 30; trial++) {
      const m = 2 + (trial % 3);
      const points = randomPoints(rng, 1 + randomInt(rng, 20), m, trial % 2 === 0 ? 4 : undefined);
      const reference = Array.from({ length: m }, () => 0);
      const total = hypervolume(points, reference);
      const contributions = hypervolumeContributions(points, reference);
      for (const i of points.keys()) {
        const others = points.filter((_, j) => j !== i);
        expect(contributions[i]).toBeCloseTo(total - hypervolume(others, reference), 12);
      }
    }
  });

  it('gives each step of a 2-D staircase its own rectangle, and duplicates nothing', () => {
    const staircase = [
      [1, 3],
      [2, 2],
      [3, 1],
    ];
    expect([...hypervolumeContributions(staircase, [0, 0])]).toEqual([1, 1, 1]);
    // The two copies of (2, 2) each leave the other in place; (1, 1) and (−1, 5) are covered or outside.
    const withExtras = [...staircase, [2, 2], [1, 1], [-1, 5]];
    expect([...hypervolumeContributions(withExtras, [0, 0])]).toEqual([1, 0, 1, 0, 0, 0]);
    // (2, 2) dominates (1.5, 1.5), which covers part of (2, 2)'s step once (2, 2) is gone: 1 − 0.5 · 0.5.
    expect(hypervolumeContributions([...staircase, [1.5, 1.5]], [0, 0])[1]).toBe(0.75);
  });
});

describe('hypervolume of analytic fronts (minimized, so negated against a negated reference)', () => {
  const negate = (p: Objectives): number[] => p.map((v) => -v);

  it('ZDT1 (f2 = 1 − √f1) approaches 2/3 and ZDT2 (f2 = 1 − f1²) 1/3 with 1000 points', () => {
    const f1 = Array.from({ length: 1000 }, (_, i) => i / 999);
    const zdt1 = hypervolume(
      f1.map((x) => negate([x, 1 - Math.sqrt(x)])),
      [-1, -1],
    );
    const zdt2 = hypervolume(
      f1.map((x) => negate([x, 1 - x * x])),
      [-1, -1],
    );
    // A finite sample dominates a little less than the continuous front: approached from below.
    expect(zdt1).toBeLessThan(2 / 3);
    expect(zdt1).toBeGreaterThan((2 / 3) * 0.995);
    expect(zdt2).toBeLessThan(1 / 3);
    expect(zdt2).toBeGreaterThan((1 / 3) * 0.995);
  });

  it('DTLZ2 (the unit sphere octant) approaches 1 − π/6 for a dense sample', () => {
    // Uniform on the octant (|normal| directions); the gap to the sphere shrinks like N^(-1/2): 0.7% at 40,000.
    const rng = SeededRng.fromSeed('dtlz2').next;
    const points = Array.from({ length: 40_000 }, () => {
      const v = [gaussian(rng), gaussian(rng), gaussian(rng)].map(Math.abs);
      const norm = Math.hypot(...v);
      return negate(v.map((x) => x / norm));
    });
    const exact = 1 - Math.PI / 6;
    const volume = hypervolume(points, [-1, -1, -1]);
    expect(volume).toBeLessThan(exact);
    expect(volume).toBeGreaterThan(exact * 0.99);
  });
});
