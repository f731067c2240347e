// Real-vector space: bounds, mutation scale, Iso+LineDD and SBX, keys, describe and decoding.
import { describe, expect, it } from 'vitest';
import { rngFromSeed } from '../../core/rng.js';
import { createVectorSpace, spaces, type VectorOptionsInput } from '../../spaces/index.js';
import { standardNormal } from '../../spaces/vector.js';

const make = (options: VectorOptionsInput) => createVectorSpace(options);

function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('standardNormal (ziggurat)', () => {
  // 4M draws: enough for ~2,300 in the tail beyond R and a tight histogram, so wedge and tail bugs show.
  const n = 4_000_000;
  const R = 3.442619855899;
  const rng = rngFromSeed('ziggurat');
  const bins = 160;
  const width = 8 / bins; // bins over [-4, 4], plus one for each outer side
  const counts = new Float64Array(bins + 2);
  const tail: number[] = [];
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = standardNormal(rng);
    sum += x;
    sumSq += x * x;
    counts[x < -4 ? 0 : x >= 4 ? bins + 1 : 1 + Math.floor((x + 4) / width)]!++;
    if (Math.abs(x) > R) tail.push(x);
  }

  it('has mean 0 and variance 1', () => {
    expect(Math.abs(sum / n)).toBeLessThan(0.002);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.003);
  });

  it('fits N(0, 1) bin by bin (chi-square over 162 bins)', () => {
    let chi2 = 0;
    for (let b = 0; b < bins + 2; b++) {
      const lo = b === 0 ? -Infinity : -4 + (b - 1) * width;
      const hi = b === bins + 1 ? Infinity : -4 + b * width;
      const expected = n * ((hi === Infinity ? 1 : normalCdf(hi)) - (lo === -Infinity ? 0 : normalCdf(lo)));
      chi2 += (counts[b]! - expected) ** 2 / expected;
    }
    expect(chi2).toBeLessThan(230); // df = 161: the 0.1% critical value is ≈ 222
  });

  it('has the right tail beyond the ziggurat base, on both sides', () => {
    const expectedTail = 2 * (1 - normalCdf(R));
    expect(Math.abs(tail.length / n - expectedTail) / expectedTail).toBeLessThan(0.08);
    expect(tail.filter((x) => x > 0).length / tail.length).toBeCloseTo(0.5, 1);
    const beyond4 = tail.filter((x) => Math.abs(x) > 4).length / tail.length;
    expect(Math.abs(beyond4 - (1 - normalCdf(4)) / (1 - normalCdf(R)))).toBeLessThan(0.02);
  });
});

describe('vector space', () => {
  it('samples uniformly within bounds', () => {
    const space = make({ dimensions: 4, min: -2, max: 3 });
    const rng = rngFromSeed('vec-sample');
    const values: number[] = [];
    for (let t = 0; t < 5_000; t++) values.push(...space.sample(rng));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...values)).toBeLessThanOrEqual(3);
    expect(stats(values).mean).toBeCloseTo(0.5, 1);
  });

  it('gaussian mutation: empirical SD ≈ sigma away from the bounds, and the result stays in bounds', () => {
    const sigma = 0.3;
    const space = make({ dimensions: 10, min: -100, max: 100, mutation: { type: 'gaussian', sigma } });
    const parent = new Float64Array(10).fill(1.5);
    const rng = rngFromSeed('vec-gauss');
    const deltas: number[] = [];
    for (let t = 0; t < 5_000; t++) for (const v of space.mutate(parent, rng)) deltas.push(v - 1.5);
    const { mean, sd } = stats(deltas);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - sigma) / sigma).toBeLessThan(0.02);

    const tight = make({ dimensions: 10, min: 0, max: 1, mutation: { type: 'gaussian', sigma: 2 } });
    const edge = new Float64Array(10).fill(1);
    let atBound = 0;
    for (let t = 0; t < 1_000; t++) {
      for (const v of tight.mutate(edge, rng)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        if (v === 0 || v === 1) atBound++;
      }
    }
    expect(atBound).toBeGreaterThan(5_000); // clipped, not resampled
  });

  it('default sigmas are relative to the range (5% gaussian, 1% iso); explicit sigmas are absolute', () => {
    expect(make({ dimensions: 2, min: -5, max: 5 }).variation).toEqual({
      mutation: 'gaussian',
      sigma: 0.5,
      crossover: 'sbx',
      eta: 10,
    });
    expect(make({ dimensions: 2, min: 0, max: 1, mutation: { type: 'iso-line-dd' } }).variation).toEqual({
      mutation: 'iso-line-dd',
      isoSigma: 0.01,
      lineSigma: 0.2,
      crossover: 'iso-line-dd',
      eta: 10,
    });
    expect(
      make({ dimensions: 2, min: 0, max: 100, mutation: { type: 'gaussian', sigma: 0.5 } }).variation,
    ).toMatchObject({ sigma: 0.5 });
  });

  it('iso-line-dd mutation is the iso part only', () => {
    const space = make({
      dimensions: 20,
      min: -10,
      max: 10,
      mutation: { type: 'iso-line-dd', isoSigma: 0.05, lineSigma: 5 },
    });
    const parent = new Float64Array(20);
    const rng = rngFromSeed('vec-iso-mut');
    const deltas: number[] = [];
    for (let t = 0; t < 2_000; t++) deltas.push(...space.mutate(parent, rng));
    expect(stats(deltas).sd).toBeCloseTo(0.05, 2);
  });

  it('iso-line-dd crossover of identical parents reduces to iso noise', () => {
    const space = make({
      dimensions: 20,
      min: -10,
      max: 10,
      mutation: { type: 'iso-line-dd', isoSigma: 0.05, lineSigma: 5 },
    });
    const a = new Float64Array(20).fill(2);
    const rng = rngFromSeed('vec-iso-same');
    const deltas: number[] = [];
    for (let t = 0; t < 2_000; t++) for (const v of space.crossover(a, a.slice(), rng)) deltas.push(v - 2);
    const { mean, sd } = stats(deltas);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(sd - 0.05) / 0.05).toBeLessThan(0.03);
  });

  it('iso-line-dd crossover moves along the line between distinct parents', () => {
    // isoSigma tiny: z ≈ a + t·(b − a) with one t ~ N(0, lineSigma²) shared by all genes.
    const space = make({
      dimensions: 3,
      min: -100,
      max: 100,
      mutation: { type: 'iso-line-dd', isoSigma: 1e-9, lineSigma: 0.5 },
    });
    const a = Float64Array.from([0, 0, 0]);
    const b = Float64Array.from([1, 2, -4]);
    const rng = rngFromSeed('vec-line');
    const ts: number[] = [];
    for (let t = 0; t < 4_000; t++) {
      const z = space.crossover(a, b, rng);
      const s = z[0]!;
      expect(z[1]).toBeCloseTo(2 * s, 6);
      expect(z[2]).toBeCloseTo(-4 * s, 6);
      ts.push(s);
    }
    expect(stats(ts).sd).toBeCloseTo(0.5, 1);
  });

  it('SBX children stay in bounds; higher eta keeps them closer to the parents', () => {
    // |z − mid| / half = β_q, the spread factor; its distance from 1 shrinks as eta grows.
    const spread = (eta: number): number => {
      const space = make({ dimensions: 8, min: 0, max: 1, crossover: { type: 'sbx', eta } });
      const rng = rngFromSeed(`vec-sbx-${eta}`);
      let lo = Infinity;
      let hi = -Infinity;
      const deviations: number[] = [];
      for (let t = 0; t < 2_000; t++) {
        const a = space.sample(rng);
        const b = space.sample(rng);
        const z = space.crossover(a, b, rng);
        for (let i = 0; i < 8; i++) {
          lo = Math.min(lo, z[i]!);
          hi = Math.max(hi, z[i]!);
          const mid = (a[i]! + b[i]!) / 2;
          const half = Math.abs(a[i]! - b[i]!) / 2;
          if (half > 0.05) deviations.push(Math.abs(Math.abs(z[i]! - mid) / half - 1));
        }
      }
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      return stats(deviations).mean;
    };
    const [loose, medium, tight] = [spread(2), spread(10), spread(50)];
    expect(tight).toBeLessThan(0.05);
    expect(medium).toBeGreaterThan(2 * tight);
    expect(loose).toBeGreaterThan(2 * medium);
  });

  it('SBX of parents at the bounds stays in bounds', () => {
    const space = make({ dimensions: 2, min: -1, max: 1 });
    const rng = rngFromSeed('vec-sbx-edge');
    for (let t = 0; t < 2_000; t++) {
      const z = space.crossover(Float64Array.from([-1, 1]), Float64Array.from([1, 1]), rng);
      for (const v of z) {
        expect(v).toBeGreaterThanOrEqual(-1);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(z[1]).toBe(1);
    }
  });

  it('key: exact bits, with -0 equal to 0', () => {
    const space = make({ dimensions: 3, min: -1, max: 1 });
    const g = Float64Array.from([0.1, -0, 0.5]);
    expect(space.key(g)).toBe(space.key(Float64Array.from([0.1, 0, 0.5])));
    expect(g[1]).toBe(-0); // key did not normalise in place
    expect(Object.is(g[1], -0)).toBe(true);
    expect(space.key(Float64Array.from([0.1, 0, 0.5 + Number.EPSILON / 2]))).not.toBe(space.key(g));
  });

  it('describe: six significant digits, truncated after eight entries', () => {
    const small = make({ dimensions: 3, min: -10, max: 10 });
    expect(small.describe(Float64Array.from([0.123456789, -1.5, 0]))).toBe('[0.123457, -1.5, 0]');
    const big = make({ dimensions: 100, min: -10, max: 10 });
    const text = big.describe(new Float64Array(100).fill(1));
    expect(text).toBe('[1, 1, 1, 1, 1, 1, 1, 1, … (100 dims)]');
  });

  it('encode gives a plain array; decode checks length and finiteness', () => {
    const space = make({ dimensions: 2, min: -1, max: 1 });
    expect(space.encode(Float64Array.from([0.5, -0]))).toEqual([0.5, 0]);
    expect(space.decode([0.25, -0.75])).toEqual(Float64Array.from([0.25, -0.75]));
    expect(() => space.decode([1])).toThrow(/expected 2 numbers, got 1/);
    expect(() => space.decode([1, Number.NaN])).toThrow(/entry 1 must be a finite number, got NaN/);
    expect(() => space.decode([1, '2'])).toThrow(/entry 1 must be a finite number/);
    expect(() => space.decode({ 0: 1, 1: 2 })).toThrow(/expected an array of 2 numbers, got object/);
  });

  it('options: max must exceed min; unknown keys and bad mutation types are rejected', () => {
    const schema = spaces.vector.options;
    const result = schema.safeParse({ dimensions: 2, min: 1, max: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['max'], message: 'max must be greater than min' });
    expect(schema.safeParse({ dimensions: 0, min: 0, max: 1 }).success).toBe(false);
    expect(schema.safeParse({ dimensions: 2, min: 0, max: Infinity }).success).toBe(false);
    expect(schema.safeParse({ dimensions: 2, min: 0, max: 1, mutation: { type: 'cauchy' } }).success).toBe(false);
    expect(schema.safeParse({ dimensions: 2, min: 0, max: 1, mutation: { type: 'gaussian', sigma: -1 } }).success).toBe(
      false,
    );
    expect(
      schema.safeParse({ dimensions: 2, min: 0, max: 1, mutation: { type: 'gaussian', isoSigma: 1 } }).success,
    ).toBe(false);
    expect(schema.safeParse({ dimensions: 2, min: 0, max: 1, crossover: { type: 'sbx', eta: 10, p: 1 } }).success).toBe(
      false,
    );
  });
});

describe('createVectorSpace', () => {
  it('validates raw options itself, so library callers get the same errors as configs', () => {
    expect(() => createVectorSpace({ dimensions: 2, min: 3, max: -3 })).toThrow(/max must be greater than min/);
    expect(createVectorSpace({ dimensions: 2, min: 0, max: 1 }).variation.mutation).toBe('gaussian');
  });
});

describe('vector space: init and bounds', () => {
  it('init samples x0 + sigma·N(0, 1) per coordinate (x0 a number or a vector)', () => {
    const space = make({ dimensions: 3, min: -5, max: 5, init: { x0: [1, -2, 0.5], sigma: 0.2 }, bounds: 'none' });
    const rng = rngFromSeed('vec-init');
    const columns: number[][] = [[], [], []];
    for (let t = 0; t < 20_000; t++) space.sample(rng).forEach((v, i) => columns[i]!.push(v));
    [1, -2, 0.5].forEach((x0, i) => {
      const s = stats(columns[i]!);
      expect(s.mean).toBeCloseTo(x0, 2);
      expect(s.sd).toBeCloseTo(0.2, 2);
    });
    expect(space.init?.x0).toEqual(Float64Array.from([1, -2, 0.5]));
    expect(make({ dimensions: 2, min: 0, max: 1, init: { x0: 0.25, sigma: 0 } }).sample(rng)).toEqual(
      Float64Array.from([0.25, 0.25]),
    );
  });

  it('init.x0 must have one entry per dimension', () => {
    expect(() => make({ dimensions: 3, min: 0, max: 1, init: { x0: [0, 0], sigma: 1 } })).toThrow(/init.x0/);
  });

  it('clip (default) keeps today’s genomes: the same mutants as before the option existed', () => {
    const a = make({ dimensions: 5, min: -1, max: 1, mutation: { type: 'gaussian', sigma: 0.8 } });
    const b = make({ dimensions: 5, min: -1, max: 1, mutation: { type: 'gaussian', sigma: 0.8 }, bounds: 'clip' });
    expect(a.bounds).toBe('clip');
    const parent = Float64Array.from([0.9, -0.9, 0, 0.5, -0.5]);
    const ra = rngFromSeed('clip');
    const rb = rngFromSeed('clip');
    for (let t = 0; t < 200; t++) {
      const child = a.mutate(parent, ra);
      expect(child).toEqual(b.mutate(parent, rb));
      for (const v of child) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
  });

  it('reflect folds a coordinate back inside by its distance past the bound; none leaves it', () => {
    const reflect = make({ dimensions: 5, min: 0, max: 1, bounds: 'reflect' });
    const x = Float64Array.from([1.25, -0.25, 2.5, -3.75, 0.5]);
    reflect.applyBounds(x);
    expect([...x]).toEqual([0.75, 0.25, 0.5, 0.25, 0.5]);
    const none = make({ dimensions: 2, min: 0, max: 1, bounds: 'none', mutation: { type: 'gaussian', sigma: 5 } });
    const y = Float64Array.from([7, -7]);
    none.applyBounds(y);
    expect([...y]).toEqual([7, -7]);
    const rng = rngFromSeed('none');
    const values = Array.from({ length: 500 }, () => [...none.mutate(Float64Array.from([0.5, 0.5]), rng)]).flat();
    expect(Math.max(...values)).toBeGreaterThan(5); // mutants leave [min, max]
    const reflected = Array.from({ length: 500 }, () => [
      ...reflect.mutate(Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5]), rng),
    ]).flat();
    for (const v of reflected) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('unbounded SBX stays finite and can leave [min, max]', () => {
    const space = make({ dimensions: 4, min: 0, max: 1, bounds: 'none' });
    const rng = rngFromSeed('sbx-none');
    const a = Float64Array.from([0.9, 0.95, 1.5, -0.5]);
    const b = Float64Array.from([0.1, 2, 1.6, 0.5]);
    const values = Array.from({ length: 300 }, () => [...space.crossover(a, b, rng)]).flat();
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
    expect(values.some((v) => v > 1 || v < 0)).toBe(true);
  });
});

describe('vector space: polynomial mutation', () => {
  const poly = (options: Partial<VectorOptionsInput> = {}, eta = 20, rate?: number) =>
    make({
      dimensions: 10,
      min: 0,
      max: 1,
      mutation: { type: 'polynomial', eta, ...(rate === undefined ? {} : { rate }) },
      ...options,
    });

  it('resolves eta 20, rate 1/dimensions and SBX crossover by default', () => {
    const space = make({ dimensions: 8, min: -2, max: 2, mutation: { type: 'polynomial' } });
    expect(space.variation).toEqual({
      mutation: 'polynomial',
      mutationEta: 20,
      rate: 1 / 8,
      isoSigma: Math.sqrt(2 / (22 * 23)) * 4,
      crossover: 'sbx',
      eta: 10,
    });
    const tuned = make({
      dimensions: 8,
      min: 0,
      max: 1,
      mutation: { type: 'polynomial', eta: 5, rate: 0.5 },
      crossover: { type: 'sbx', eta: 15 },
    });
    expect(tuned.variation).toMatchObject({ mutation: 'polynomial', mutationEta: 5, rate: 0.5, eta: 15 });
  });

  it('children stay in bounds, from any parent, with clip and reflect', () => {
    for (const bounds of ['clip', 'reflect'] as const) {
      const space = make({
        dimensions: 6,
        min: -3,
        max: 2,
        bounds,
        mutation: { type: 'polynomial', eta: 0.5, rate: 1 },
      });
      const rng = rngFromSeed(`poly-bounds-${bounds}`);
      const parents = [
        new Float64Array(6).fill(-3),
        new Float64Array(6).fill(2),
        Float64Array.from([-3, 2, -2.999, 1.999, 0, -0.5]),
      ];
      let lo = Infinity;
      let hi = -Infinity;
      for (let t = 0; t < 3_000; t++) {
        for (const v of space.mutate(parents[t % 3]!, rng)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      expect(lo).toBeGreaterThanOrEqual(-3);
      expect(hi).toBeLessThanOrEqual(2);
      expect(hi - lo).toBeGreaterThan(4.5); // eta 0.5: steps reach across the range
    }
  });

  it('moves a parent at a bound only inwards, and leaves the parent unchanged', () => {
    const space = poly({}, 20, 1);
    const rng = rngFromSeed('poly-edge');
    const parent = new Float64Array(10).fill(0);
    let moved = 0;
    let lo = Infinity;
    for (let t = 0; t < 500; t++) {
      for (const v of space.mutate(parent, rng)) {
        lo = Math.min(lo, v);
        if (v > 0) moved++;
      }
    }
    expect(lo).toBe(0);
    expect(moved).toBeGreaterThan(2_000); // half the draws (u ≥ 0.5) step up; the others are clamped at δ_q = 0
    expect([...parent]).toEqual(new Array(10).fill(0));
  });

  it('with rate r, about r·n genes change per child', () => {
    const changed = (space: ReturnType<typeof make>, seed: string): number => {
      const rng = rngFromSeed(seed);
      const parent = new Float64Array(space.dimensions).fill(0.5);
      let count = 0;
      const children = 4_000;
      for (let t = 0; t < children; t++) for (const v of space.mutate(parent, rng)) if (v !== 0.5) count++;
      return count / children;
    };
    expect(
      changed(make({ dimensions: 50, min: 0, max: 1, mutation: { type: 'polynomial', rate: 0.1 } }), 'r1'),
    ).toBeCloseTo(5, 0);
    expect(changed(make({ dimensions: 30, min: 0, max: 1, mutation: { type: 'polynomial' } }), 'r2')).toBeCloseTo(1, 1);
    expect(changed(make({ dimensions: 20, min: 0, max: 1, mutation: { type: 'polynomial', rate: 1 } }), 'r3')).toBe(20);
  });

  it('at mid-range δ_q is symmetric around the parent, with the distribution of Deb’s formula', () => {
    const eta = 5; // small enough that the bounds at ±0.5 matter a little
    const space = poly({ dimensions: 20 }, eta, 1);
    const rng = rngFromSeed('poly-mid');
    const deltas: number[] = [];
    const parent = new Float64Array(20).fill(0.5);
    for (let t = 0; t < 5_000; t++) for (const v of space.mutate(parent, rng)) deltas.push(v - 0.5);
    deltas.sort((a, b) => a - b);
    const quantile = (q: number) => deltas[Math.floor(q * (deltas.length - 1))]!;
    expect(Math.abs(stats(deltas).mean)).toBeLessThan(0.002);
    for (const q of [0.01, 0.1, 0.25, 0.4]) expect(quantile(q)).toBeCloseTo(-quantile(1 - q), 2);
    // P(δ_q ≤ −t) = ((1 − t)^(η+1) − 0.5^(η+1)) / (2·(1 − 0.5^(η+1))) for a parent at 0.5 in [0, 1].
    const p = eta + 1;
    for (const t of [0.02, 0.1, 0.2]) {
      const expected = ((1 - t) ** p - 0.5 ** p) / (2 * (1 - 0.5 ** p));
      const observed = deltas.filter((d) => d <= -t).length / deltas.length;
      expect(Math.abs(observed - expected)).toBeLessThan(0.01);
    }
    expect(Math.min(...deltas)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...deltas)).toBeLessThanOrEqual(0.5);
  });

  it('a larger eta keeps the mutant closer to the parent', () => {
    const spread = (eta: number): number => {
      const space = poly({}, eta, 1);
      const rng = rngFromSeed(`poly-eta-${eta}`);
      const parent = new Float64Array(10).fill(0.5);
      const deltas: number[] = [];
      for (let t = 0; t < 2_000; t++) for (const v of space.mutate(parent, rng)) deltas.push(v - 0.5);
      return stats(deltas).sd;
    };
    const [wide, narrow] = [spread(2), spread(50)];
    expect(narrow).toBeCloseTo(Math.sqrt(2 / (52 * 53)), 2);
    expect(wide).toBeGreaterThan(3 * narrow);
  });

  it('options: needs finite bounds (not bounds none); eta ≥ 0; 0 < rate ≤ 1; no unknown keys', () => {
    const schema = spaces.vector.options;
    const base = { dimensions: 2, min: 0, max: 1 };
    const none = schema.safeParse({ ...base, bounds: 'none', mutation: { type: 'polynomial' } });
    expect(none.success).toBe(false);
    expect(none.error?.issues[0]).toMatchObject({ path: ['mutation'], message: expect.stringMatching(/bounds/) });
    expect(() => make({ ...base, bounds: 'none', mutation: { type: 'polynomial' } })).toThrow(/polynomial mutation/);
    expect(schema.safeParse({ ...base, bounds: 'reflect', mutation: { type: 'polynomial' } }).success).toBe(true);
    expect(schema.safeParse({ ...base, mutation: { type: 'polynomial', eta: -1 } }).success).toBe(false);
    expect(schema.safeParse({ ...base, mutation: { type: 'polynomial', rate: 0 } }).success).toBe(false);
    expect(schema.safeParse({ ...base, mutation: { type: 'polynomial', rate: 1.5 } }).success).toBe(false);
    expect(schema.safeParse({ ...base, mutation: { type: 'polynomial', sigma: 0.1 } }).success).toBe(false);
  });
});
