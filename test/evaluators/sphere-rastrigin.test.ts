// Shifted sphere and Rastrigin: normalisation end points, hand-computed values, the clip and the linear projection.
import { describe, expect, it } from 'vitest';
import { createRastrigin, createSphere, evaluators } from '../../evaluators/index.js';
import { DEFAULT_BOUND, DEFAULT_SHIFT } from '../../evaluators/benchmarks/linear-projection.js';
import { ConfigError } from '../../core/errors.js';
import { rngFromSeed } from '../../core/rng.js';
import type { EvalContext, EvalResult } from '../../core/types.js';

const ctx: EvalContext = {
  rng: rngFromSeed('sphere'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
};
const run = (ev: { evaluate: (g: Float64Array, c: EvalContext) => unknown }, x: number[]): EvalResult =>
  ev.evaluate(Float64Array.from(x), ctx) as EvalResult;
const filled = (n: number, v: number): number[] => new Array<number>(n).fill(v);

describe('linear projection defaults', () => {
  it('are pyribs’ 5.12 and 0.4·5.12', () => {
    expect(DEFAULT_BOUND).toBe(5.12);
    expect(DEFAULT_SHIFT).toBeCloseTo(2.048, 15);
  });
});

describe('sphere', () => {
  const sphere = createSphere();

  it('scores 100 at the optimum x = shift and 0 at the all-(−bound) corner (n = 100)', () => {
    const best = run(sphere, filled(100, DEFAULT_SHIFT));
    expect(best.fitness).toBe(100);
    expect(best.metrics).toEqual({ raw: 0 });
    expect(run(sphere, filled(100, -DEFAULT_BOUND)).fitness).toBe(0);
  });

  it('matches a hand computation: x = (0, 0) gives 100·(1 − (2.048/7.168)²) = 4500/49', () => {
    const r = run(sphere, [0, 0]);
    expect(r.fitness).toBeCloseTo(4500 / 49, 10);
    expect(r.metrics!.raw).toBeCloseTo(2 * 2.048 ** 2, 12);
  });

  it('uses the shift and bound options', () => {
    const custom = createSphere({ shift: 0, bound: 1 });
    expect(run(custom, [0.5, 0.5]).fitness).toBe(75); // f = 0.5, f_worst = 2
    // A negative shift puts the far corner at +bound: f_worst = n·(bound + |s|)².
    const negative = createSphere({ shift: -1, bound: 2 });
    expect(run(negative, [2, 2, 2]).fitness).toBe(0);
    expect(run(negative, [-1, -1, -1]).fitness).toBe(100);
  });

  it('clips x̃ = x inside [−bound, bound] and bound/x outside, then sums each half', () => {
    expect(run(sphere, [1, 10, -20, 3]).descriptors).toEqual([1 + 5.12 / 10, 5.12 / -20 + 3]);
    expect(run(sphere, [5.12, -5.12]).descriptors).toEqual([5.12, -5.12]);
    // Odd n: the first ⌊n/2⌋ coordinates go to m1, the rest to m2.
    expect(run(sphere, [1, 2, 4]).descriptors).toEqual([1, 6]);
  });

  it('keeps each measure within ±256 at n = 100 for any x', () => {
    const rng = rngFromSeed('sphere-range');
    for (let t = 0; t < 200; t++) {
      const x = Array.from({ length: 100 }, () => (rng() - 0.5) * 40);
      for (const m of run(sphere, x).descriptors!) expect(Math.abs(m)).toBeLessThanOrEqual(256);
    }
    expect(run(sphere, filled(100, 5.12)).descriptors).toEqual([256, 256].map((v) => expect.closeTo(v, 10)));
  });

  it('rejects bad options and an empty genome', () => {
    expect(evaluators.sphere.options.safeParse({ bound: 0 }).success).toBe(false);
    expect(evaluators.sphere.options.safeParse({ shift: 'x' }).success).toBe(false);
    expect(evaluators.sphere.options.safeParse({ variant: 'pyribs' }).success).toBe(false);
    expect(() => run(sphere, [])).toThrow(ConfigError);
  });
});

describe('rastrigin (pyribs)', () => {
  const rastrigin = createRastrigin();

  it('scores exactly 100 at x = shift and 0 at the all-(−bound) corner', () => {
    for (const n of [1, 7, 100]) {
      const best = run(rastrigin, filled(n, DEFAULT_SHIFT));
      expect(best.fitness).toBe(100);
      expect(best.metrics).toEqual({ raw: 0 });
      expect(run(rastrigin, filled(n, -DEFAULT_BOUND)).fitness).toBe(0);
    }
  });

  it('matches the formula on a hand-checked point (shift 0, x = 0.5: f = 10 + 0.25 + 10)', () => {
    const r = run(createRastrigin({ shift: 0 }), [0.5]);
    expect(r.metrics!.raw).toBeCloseTo(20.25, 12);
    const worst = 10 + 5.12 ** 2 - 10 * Math.cos(2 * Math.PI * 5.12);
    expect(r.fitness).toBeCloseTo(((20.25 - worst) / -worst) * 100, 10);
  });

  it('never exceeds 100, and dips to ≈ −10.65 inside the box (the corner is not the maximum)', () => {
    const dip = run(rastrigin, filled(10, DEFAULT_SHIFT - 6.533342));
    expect(dip.fitness).toBeGreaterThan(-10.66);
    expect(dip.fitness).toBeLessThan(-10.64);
    const rng = rngFromSeed('rastrigin-range');
    for (let t = 0; t < 200; t++) {
      const x = Array.from({ length: 20 }, () => (rng() * 2 - 1) * DEFAULT_BOUND);
      const f = run(rastrigin, x).fitness;
      expect(f).toBeLessThanOrEqual(100);
      expect(f).toBeGreaterThan(-10.66);
    }
  });

  it('uses the same linear projection as sphere', () => {
    const x = [1, 10, -20, 3, 0.25];
    expect(run(rastrigin, x).descriptors).toEqual(run(createSphere(), x).descriptors);
  });
});

describe('rastrigin (pymap-elites)', () => {
  const rastrigin = createRastrigin({ variant: 'pymap-elites' });

  it('is −(10n + Σ(y² − 10cos 2πy)) with y = 10x − 5, descriptors (x0, x1)', () => {
    const centre = run(rastrigin, [0.5, 0.5, 0.5]);
    expect(centre.fitness === 0).toBe(true); // −0 at the optimum
    expect(centre.descriptors).toEqual([0.5, 0.5]);
    const corners = run(rastrigin, [0, 1]); // y = (−5, 5): 20 + 2·(25 − 10)
    expect(corners.fitness).toBeCloseTo(-50, 10);
    expect(corners.metrics!.raw).toBeCloseTo(50, 10);
    expect(corners.descriptors).toEqual([0, 1]);
    expect(run(rastrigin, [0.55, 0.45]).fitness).toBeCloseTo(-(20 + 2 * (0.25 + 10)), 10); // y = ±0.5
  });

  it('needs two coordinates and takes no shift or bound', () => {
    expect(() => run(rastrigin, [0.5])).toThrow(/at least 2/);
    expect(evaluators.rastrigin.options.safeParse({ variant: 'pymap-elites', shift: 1 }).success).toBe(false);
    expect(evaluators.rastrigin.options.safeParse({ variant: 'pyribs', shift: 1, bound: 2 }).success).toBe(true);
    expect(evaluators.rastrigin.options.safeParse({ variant: 'cma' }).success).toBe(false);
  });
});
