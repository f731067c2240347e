// Multi-objective benchmarks (ZDT1–3, DTLZ2, mo-rastrigin): hand-computed values, true fronts and their hypervolumes.
import { describe, expect, it } from 'vitest';
import { evaluators } from '../../evaluators/index.js';
import { createDtlz2, dtlz2Front, dtlz2Hypervolume, dtlz2Reference } from '../../evaluators/benchmarks/dtlz2.js';
import { createMoRastrigin, moRastriginFront, moRastriginReference } from '../../evaluators/benchmarks/mo-rastrigin.js';
import { type ParetoReference, rawHypervolume } from '../../evaluators/benchmarks/pareto-reference.js';
import {
  createZdt,
  zdt3Pieces,
  ZDT_REFERENCES,
  zdt1Front,
  zdt2Front,
  zdt3Front,
} from '../../evaluators/benchmarks/zdt.js';
import { ConfigError } from '../../core/errors.js';
import { dominates } from '../../core/pareto.js';
import { rngFromSeed } from '../../core/rng.js';
import { toScores, type EvalContext, type EvalResult } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('mo-benchmarks'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const run = (ev: { evaluate: (g: Float64Array, c: EvalContext) => unknown }, x: readonly number[]): EvalResult =>
  ev.evaluate(Float64Array.from(x), ctx) as EvalResult;
const filled = (n: number, v: number): number[] => new Array<number>(n).fill(v);
const close = (values: number[], digits = 12): unknown[] => values.map((v) => expect.closeTo(v, digits));

/** Indices of the first pair (i, j) where point i dominates point j, in maximized form; undefined if none. */
function firstDomination(points: readonly number[][], ref: ParetoReference): [number, number] | undefined {
  const scores = points.map((p) => toScores(p, ref.directions));
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) if (i !== j && dominates(scores[i]!, scores[j]!)) return [i, j];
  }
  return undefined;
}

describe('ZDT', () => {
  const zdt1 = createZdt('zdt1');
  const zdt2 = createZdt('zdt2');
  const zdt3 = createZdt('zdt3');

  it('ZDT1 at x = (0.25, 0, …, 0) is on the front: (0.25, 0.5), g = 1, fitness −0.75', () => {
    const r = run(zdt1, [0.25, ...filled(29, 0)]);
    expect(r.objectives).toEqual([0.25, 0.5]);
    expect(r.fitness).toBe(-0.75);
    expect(r.metrics).toEqual({ g: 1 });
    expect(r.descriptors).toEqual([0.25, 0]);
  });

  it('matches hand computations off the front: g = 1 + 9·mean(x2…xn)', () => {
    // n = 4, x = (0.25, 0.5, 0, 1): g = 1 + 9·1.5/3 = 5.5, f1/g = 1/22.
    const x = [0.25, 0.5, 0, 1];
    const g = 5.5;
    expect(run(zdt1, x).objectives).toEqual(close([0.25, g * (1 - Math.sqrt(1 / 22))]));
    expect(run(zdt2, x).objectives).toEqual(close([0.25, g * (1 - 1 / 484)]));
    // sin(2.5π) = 1: ZDT3 f2 = g·(1 − √(1/22) − 1/22).
    expect(run(zdt3, x).objectives).toEqual(close([0.25, g * (1 - Math.sqrt(1 / 22) - 1 / 22)]));
    expect(run(zdt1, x).metrics).toEqual({ g: expect.closeTo(g, 14) });
    expect(run(zdt1, x).descriptors).toEqual([0.25, 0.5]);
    // ZDT2 at (1, 0): f = (1, 0); ZDT3 at f1 = 0.5 on g = 1: sin(5π) = 0 → 1 − √0.5.
    expect(run(zdt2, [1, 0]).objectives).toEqual([1, 0]);
    expect(run(zdt3, [0.5, 0, 0]).objectives).toEqual(close([0.5, 1 - Math.SQRT1_2]));
  });

  it('fitness is −(f1 + f2) and larger genes away from x1 only make both objectives worse', () => {
    const rng = rngFromSeed('zdt-random');
    for (let t = 0; t < 50; t++) {
      const x = Array.from({ length: 30 }, rng);
      for (const ev of [zdt1, zdt2, zdt3]) {
        const r = run(ev, x);
        expect(r.fitness).toBeCloseTo(-(r.objectives![0]! + r.objectives![1]!), 12);
        expect(r.descriptors).toEqual([x[0], x[1]]);
        const onFront = run(ev, [x[0]!, ...filled(29, 0)]).objectives!;
        expect(r.objectives![0]).toBe(onFront[0]);
        expect(r.objectives![1]).toBeGreaterThan(onFront[1]!); // g > 1 pushes f2 up for every problem
      }
    }
  });

  it('rejects genes outside [0, 1] (naming the gene) and genomes shorter than 2', () => {
    expect(() => run(zdt1, [0.5, 1.5, 0])).toThrow(RangeError);
    expect(() => run(zdt1, [0.5, 0, 1.5])).toThrow(/zdt1: gene 2 \(0-based\) is 1\.5, outside \[0, 1\]/);
    expect(() => run(zdt3, [-0.1, 0])).toThrow(/gene 0 .* is -0\.1/);
    expect(() => run(zdt2, [0.5, Number.NaN])).toThrow(/gene 1 .* is NaN/);
    expect(() => run(zdt2, [0.5])).toThrow(ConfigError);
    expect(run(zdt1, [0, 1]).objectives).toEqual([0, 10]); // the box's edges are inside
  });

  it('finds the five ZDT3 pieces of pymoo’s table', () => {
    const pymoo = [
      [0, 0.0830015349],
      [0.18222878, 0.2577623634],
      [0.4093136748, 0.4538821041],
      [0.6183967944, 0.6525117038],
      [0.8233317983, 0.8518328654],
    ];
    const pieces = zdt3Pieces();
    expect(pieces).toHaveLength(5);
    const f2 = (u: number): number => run(zdt3, [u, 0]).objectives![1]!;
    pieces.forEach((p, k) => {
      expect(p.end).toBeCloseTo(pymoo[k]![1]!, 9);
      // pymoo rounds each start up to 5·10⁻⁸ into its piece; here it is where f2 returns to the previous end's value.
      expect(p.start).toBeCloseTo(pymoo[k]![0]!, 6);
      if (k > 0) expect(f2(p.start)).toBeCloseTo(f2(pieces[k - 1]!.end), 13);
    });
  });

  it.each([
    ['zdt1', zdt1Front, 2 / 3],
    ['zdt2', zdt2Front, 1 / 3],
    ['zdt3', zdt3Front, 1.0444260074],
  ] as const)(
    '%s: the front is non-dominated, on g = 1, and its hypervolume tends to the reference value',
    (name, front, hv) => {
      const ref = ZDT_REFERENCES[name];
      expect(ref.reference).toEqual([1, 1]);
      expect(ref.directions).toEqual(['minimize', 'minimize']);
      expect(ref.hypervolume).toBeCloseTo(hv, 9);
      const evaluator = createZdt(name);
      const points = front(400);
      expect(points).toHaveLength(400);
      expect(firstDomination(points, ref)).toBeUndefined();
      for (const p of points.filter((_, i) => i % 37 === 0)) {
        expect(run(evaluator, [p[0]!, ...filled(29, 0)]).objectives).toEqual(close(p, 14));
      }
      const coarse = rawHypervolume(front(100), ref.directions, ref.reference);
      const dense = rawHypervolume(front(20_000), ref.directions, ref.reference);
      expect(coarse).toBeLessThan(ref.hypervolume); // a finite subset of the front covers less
      expect(dense).toBeLessThan(ref.hypervolume);
      expect(dense).toBeGreaterThan(coarse);
      expect(ref.hypervolume - dense).toBeLessThan(1e-4);
      expect(ref.hypervolume - rawHypervolume(front(2000), ref.directions, ref.reference)).toBeLessThan(1e-3);
    },
  );

  it('ZDT3: points of the g = 1 curve outside the pieces are dominated by the front', () => {
    const ref = ZDT_REFERENCES.zdt3;
    const front = zdt3Front(2000).map((p) => toScores(p, ref.directions));
    for (const u of [0.1, 0.15, 0.3, 0.5, 0.7, 0.9, 1]) {
      const outside = toScores(run(createZdt('zdt3'), [u, 0]).objectives!, ref.directions);
      expect(front.some((p) => dominates(p, outside))).toBe(true);
    }
  });

  it('front functions reject counts below 2', () => {
    expect(() => zdt1Front(1)).toThrow(RangeError);
    expect(() => zdt3Front(2.5)).toThrow(/integer ≥ 2/);
  });
});

describe('DTLZ2', () => {
  const dtlz2 = createDtlz2();

  it('on the Pareto set (x3… = 0.5) returns the unit-sphere point of the angles; off it, scaled by 1 + g', () => {
    // θ1 = π/6, θ2 = π/4: f = (cos π/6·cos π/4, cos π/6·sin π/4, sin π/6).
    const onSet = run(dtlz2, [1 / 3, 0.5, ...filled(10, 0.5)]);
    const c = Math.sqrt(3) / 2;
    expect(onSet.objectives).toEqual(close([c * Math.SQRT1_2, c * Math.SQRT1_2, 0.5]));
    expect(onSet.metrics).toEqual({ g: 0 });
    expect(onSet.fitness).toBeCloseTo(-(c * Math.SQRT2 + 0.5), 12);
    expect(onSet.descriptors).toEqual([1 / 3, 0.5]);
    // x3… = 0: g = 10·0.25 = 2.5, every objective × 3.5.
    const off = run(dtlz2, [1 / 3, 0.5, ...filled(10, 0)]);
    expect(off.metrics!.g).toBe(2.5);
    expect(off.objectives).toEqual(close(onSet.objectives!.map((f) => 3.5 * f)));
    // x = 0 everywhere (θ = 0): f1 = 1 + g, the others 0 (g over the last 10 genes only: 2.5).
    expect(run(dtlz2, filled(12, 0)).objectives).toEqual(close([3.5, 0, 0]));
  });

  it('takes M from options: M = 2 is (cos θ1, sin θ1)·(1 + g) with g over x2…xn', () => {
    const two = createDtlz2({ objectives: 2 });
    expect(run(two, [0.5, 0.5, 0.5]).objectives).toEqual(close([Math.SQRT1_2, Math.SQRT1_2]));
    const four = createDtlz2({ objectives: 4 });
    const r = run(four, [0.2, 0.4, 0.6, 0.5, 0.5]);
    expect(r.objectives).toHaveLength(4);
    expect(r.objectives!.reduce((s, f) => s + f * f, 0)).toBeCloseTo(1, 12);
    expect(() => createDtlz2({ objectives: 1 })).toThrow();
  });

  it('satisfies Σf² = (1 + g)² for random genomes', () => {
    const rng = rngFromSeed('dtlz2-random');
    for (let t = 0; t < 100; t++) {
      const r = run(dtlz2, Array.from({ length: 12 }, rng));
      const g = r.metrics!.g!;
      expect(r.objectives!.reduce((s, f) => s + f * f, 0)).toBeCloseTo((1 + g) ** 2, 10);
      for (const f of r.objectives!) expect(f).toBeGreaterThanOrEqual(0);
    }
  });

  it('rejects genomes shorter than M and genes outside [0, 1]', () => {
    expect(() => run(dtlz2, [0.5, 0.5])).toThrow(ConfigError);
    expect(() => run(dtlz2, [0.5, 0.5, 2])).toThrow(/dtlz2: gene 2 \(0-based\) is 2, outside \[0, 1\]/);
  });

  it('front points have Σf² = 1, are mutually non-dominated and count C(p + M − 1, M − 1)', () => {
    const ref = dtlz2Reference(3);
    const points = dtlz2Front(12, 3);
    expect(points).toHaveLength(91);
    for (const p of points) {
      expect(p.reduce((s, f) => s + f * f, 0)).toBeCloseTo(1, 14);
      for (const f of p) expect(f).toBeGreaterThanOrEqual(0);
    }
    expect(points).toContainEqual([1, 0, 0]);
    expect(firstDomination(points, ref)).toBeUndefined();
    expect(ref.front(92).length).toBeGreaterThanOrEqual(92);
    expect(ref.front(91)).toHaveLength(91);
  });

  it('hypervolume is 1 − π/6 at M = 3 and 1 − π/4 at M = 2; sampled fronts approach it from below', () => {
    expect(dtlz2Hypervolume(3)).toBeCloseTo(1 - Math.PI / 6, 15);
    expect(dtlz2Hypervolume(2)).toBeCloseTo(1 - Math.PI / 4, 15);
    expect(dtlz2Hypervolume(4)).toBeCloseTo(1 - Math.PI ** 2 / 32, 15); // V_4 = π²/2
    const ref = dtlz2Reference(3);
    expect(ref.reference).toEqual([1, 1, 1]);
    expect(ref.hypervolume).toBe(dtlz2Hypervolume(3));
    const coarse = rawHypervolume(dtlz2Front(10), ref.directions, ref.reference);
    const dense = rawHypervolume(dtlz2Front(60), ref.directions, ref.reference);
    expect(coarse).toBeLessThan(dense);
    expect(dense).toBeLessThan(ref.hypervolume);
    expect(ref.hypervolume - dense).toBeLessThan(0.02);
    const two = dtlz2Reference(2);
    expect(two.hypervolume - rawHypervolume(dtlz2Front(2000, 2), two.directions, two.reference)).toBeLessThan(1e-3);
  });
});

describe('mo-rastrigin', () => {
  const mo = createMoRastrigin();

  it('has each objective’s maximum 0 at its shift (x = 0 and x = 2.2), the other objective at the nadir there', () => {
    const ref = moRastriginReference(100);
    const atFirst = run(mo, filled(100, 0));
    expect(atFirst.objectives![0]).toBe(0);
    expect(atFirst.objectives![1]).toBeCloseTo(ref.reference[1]!, 9);
    const atSecond = run(mo, filled(100, 2.2));
    expect(atSecond.objectives![1]).toBeCloseTo(0, 10);
    expect(atSecond.objectives![0]).toBeCloseTo(ref.reference[0]!, 9);
    // r(2.2) = 4.84 − 10·cos(4.4π) + 10 = 14.84 − 10·cos(0.4π): the nadir per gene.
    expect(ref.reference[0]).toBeCloseTo(-100 * (14.84 - 10 * Math.cos(0.4 * Math.PI)), 9);
    expect(atFirst.fitness).toBe(atFirst.objectives![0]! + atFirst.objectives![1]!);
    const rng = rngFromSeed('mo-rastrigin-near');
    for (let t = 0; t < 50; t++) {
      const nudge = Array.from({ length: 100 }, () => (rng() - 0.5) * 0.2);
      expect(run(mo, nudge).objectives![0]).toBeLessThan(0);
      const nearSecond = nudge.map((d) => 2.2 + d);
      expect(run(mo, nearSecond).objectives![1]).toBeLessThan(0);
    }
  });

  it('matches QDax’s scorer by hand: n = 2, x = (1, 0.5)', () => {
    // f1 = −(20 + (1 − 10·cos 2π) + (0.25 − 10·cos π)) = −(20 − 9 + 10.25) = −21.25.
    // f2: d = (−1.2, −1.7), cos(2.4π) = cos(0.4π), cos(3.4π) = cos(1.4π) = −cos(0.4π).
    const r = run(mo, [1, 0.5]);
    const c = Math.cos(0.4 * Math.PI);
    expect(r.objectives).toEqual(close([-21.25, -(20 + 1.44 - 10 * c + 2.89 + 10 * c)]));
    expect(r.fitness).toBeCloseTo(-21.25 - 24.33, 10);
  });

  it('projects descriptors with pyribs’ clip (default) or returns (x1, x2)', () => {
    const rng = rngFromSeed('mo-rastrigin-descriptors');
    const byGenes = createMoRastrigin({ descriptors: 'genes' });
    for (let t = 0; t < 50; t++) {
      const x = Array.from({ length: 100 }, () => (rng() - 0.5) * 30); // far outside the clip too
      const [m1, m2] = run(mo, x).descriptors!;
      expect(Math.abs(m1!)).toBeLessThanOrEqual(50 * 5.12);
      expect(Math.abs(m2!)).toBeLessThanOrEqual(50 * 5.12);
      expect(run(byGenes, x).descriptors).toEqual([x[0], x[1]]);
    }
    // (1, 2, 3, 10): m1 = 1 + 2, m2 = 3 + 5.12/10 (clipped by bound/x).
    expect(run(mo, [1, 2, 3, 10]).descriptors).toEqual(close([3, 3.512]));
    expect(run(createMoRastrigin({ bound: 1 }), [0.5, 4]).descriptors).toEqual([0.5, 0.25]);
  });

  it('validates options and genome length', () => {
    expect(() => createMoRastrigin({ shifts: [1, 1] })).toThrow(/must differ/);
    expect(() => createMoRastrigin({ descriptors: 'genes', bound: 2 })).toThrow(/bound applies only/);
    expect(() => run(createMoRastrigin({ descriptors: 'genes' }), [1])).toThrow(ConfigError);
    const shifted = createMoRastrigin({ shifts: [-1, 1] });
    expect(run(shifted, [-1, -1]).objectives![0]).toBe(0);
    expect(run(shifted, [1, 1]).objectives![1]).toBe(0);
  });

  it('front points are mutually non-dominated, within the nadir, and no genome dominates one', () => {
    const ref = moRastriginReference(100);
    const points = moRastriginFront(300);
    expect(points.length).toBeGreaterThanOrEqual(300);
    expect(firstDomination(points, ref)).toBeUndefined();
    for (const p of points) {
      expect(p[0]).toBeGreaterThanOrEqual(ref.reference[0]! - 1e-9);
      expect(p[1]).toBeGreaterThanOrEqual(ref.reference[1]! - 1e-9);
    }
    // The ends are the two optima, x = 0 and x = 2.2 everywhere.
    expect(points[0]).toEqual(run(mo, filled(100, 0)).objectives);
    expect(points.at(-1)).toEqual(close(run(mo, filled(100, 2.2)).objectives!, 9));
    // One gene's best compromise is t = 1.1 (r(1.1) = r(−1.1)), so no point of the front beats
    // −100·r(1.1) ≈ −312 in both objectives, and the front passes close to (−312, −312).
    const balanced = -100 * (1.21 - 10 * Math.cos(2.2 * Math.PI) + 10);
    const best = Math.max(...points.map((p) => Math.min(p[0]!, p[1]!)));
    expect(best).toBeLessThanOrEqual(balanced + 1e-9);
    expect(best).toBeGreaterThan(balanced - 2);
    // Genomes whose genes sit near the front's pieces (t ≈ 0, 1.1, 2.2) or anywhere in [−0.3, 2.5] never dominate it.
    const front = points.map((p) => toScores(p, ref.directions));
    const rng = rngFromSeed('mo-rastrigin-random');
    const centres = [0.02, 1.1, 2.18];
    for (let t = 0; t < 300; t++) {
      const x = Array.from({ length: 100 }, () =>
        t % 2 === 0 ? centres[Math.floor(rng() * 3)]! + (rng() - 0.5) * 0.15 : -0.3 + 2.8 * rng(),
      );
      const f = run(mo, x).objectives!;
      expect(front.some((p) => dominates(f, p))).toBe(false);
    }
  });

  it('the reference hypervolume bounds every attainable front from above, and is tight at n = 100', () => {
    const n = 100;
    const ref = moRastriginReference(n);
    expect(ref.exact).toBe(false);
    expect(ref.hypervolume).toBeCloseTo(1101261.95, 1);
    const supported = rawHypervolume(moRastriginFront(2000), ref.directions, ref.reference);
    expect(supported).toBeLessThan(ref.hypervolume);
    expect(1 - supported / ref.hypervolume).toBeLessThan(4e-4); // ≈ 3.7·10⁻⁴, the gaps' staircases
    // Attainable by hand: k genes at u and n − k at v, with u and v on 80-step grids of ±0.015 around the ends of each
    // gap of one gene's front (t ≈ 0.047 | 1.041 and 1.159 | 2.153), added to a dense sample of the supported front.
    const r = (d: number): number => d * d - 10 * Math.cos(2 * Math.PI * d) + 10;
    const gene = (centre: number): number[][] =>
      Array.from({ length: 80 }, (_, i) => centre - 0.015 + (0.03 * i) / 79).map((t) => [r(t), r(t - 2.2)]);
    const points = moRastriginFront(20_000);
    for (const [us, vs] of [
      [gene(0.047), gene(1.041)],
      [gene(1.159), gene(2.153)],
    ]) {
      for (let k = 0; k <= n; k++) {
        const sums = us!.flatMap(([ua, ub]) =>
          vs!.map(([va, vb]) => [k * ua! + (n - k) * va!, k * ub! + (n - k) * vb!]),
        );
        sums.sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
        let lowest = Number.POSITIVE_INFINITY; // keep each k's staircase only, for speed
        for (const [a, b] of sums) if (b! < lowest) points.push([-a!, -(lowest = b!)]);
      }
    }
    const attained = rawHypervolume(points, ref.directions, ref.reference);
    expect(attained).toBeLessThanOrEqual(ref.hypervolume);
    expect(attained).toBeGreaterThan(supported);
    expect(1 - attained / ref.hypervolume).toBeLessThan(3e-5); // ≈ 2.3·10⁻⁵ here, 1.3·10⁻⁵ on finer grids
    // The bound scales as n².
    expect(moRastriginReference(10).hypervolume * 100).toBeCloseTo(ref.hypervolume, 3);
  });
});

describe('registry entries', () => {
  it.each(['zdt1', 'zdt2', 'zdt3', 'dtlz2', 'mo-rastrigin'] as const)(
    '%s builds by name and returns objectives',
    (type) => {
      const evaluator = evaluators[type].create({}) as { evaluate: (g: Float64Array, c: EvalContext) => unknown };
      const n = type === 'mo-rastrigin' ? 100 : type === 'dtlz2' ? 12 : 30;
      const r = run(evaluator, filled(n, 0.5));
      expect(r.objectives).toHaveLength(type === 'dtlz2' ? 3 : 2);
      expect(r.descriptors).toHaveLength(2);
      expect(Number.isFinite(r.fitness)).toBe(true);
      expect(evaluators[type].summary.length).toBeGreaterThan(0);
    },
  );
});
